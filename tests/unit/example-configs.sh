#!/bin/bash
# SPDX-License-Identifier: MIT
# example-configs.sh VPLANED: each examples/vplaned-*.conf (installed as
# /etc/vplane/*.conf for the systemd units) is accepted by this vplaned, and
# a config with an unknown setting is refused, so the check can fail.
set -uo pipefail
vplaned=${1:?usage: example-configs.sh VPLANED}
src=$(cd "$(dirname "$0")/../.." && pwd)
bad=0
n=0
for conf in "$src"/examples/vplaned-*.conf; do
	n=$((n + 1))
	if out=$("$vplaned" --config "$conf" --help 2>&1 >/dev/null); then
		echo "ok: $conf"
	else
		echo "FAIL: vplaned refuses $conf: $out"
		bad=1
	fi
done
[ "$n" -ge 2 ] || { echo "FAIL: expected the kiosk and VDI configs, found $n"; bad=1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf 'backend headless\nno-such-setting 1\n' >"$tmp"
if "$vplaned" --config "$tmp" --help >/dev/null 2>&1; then
	echo "FAIL: vplaned accepted an unknown setting"
	bad=1
fi
exit $bad
