#!/bin/bash
# SPDX-License-Identifier: MIT
# install-check.sh DEBDIR: the built packages install into a clean Debian
# root (tests/packaging/debroot.sh: mmdebstrap's minbase of the host's
# release) with `apt-get install ./*.deb`, without Recommends, so their
# Depends alone must bring what they need; there vplaned and vplanectl
# start (their libraries resolve) and every GStreamer element vplaned
# creates by name (tests/packaging/gst-elements.sh reads them from the
# sources; not the hardware encoders, which need their device) can be made
# (gst-inspect-1.0 ELEMENT). An element that only a Recommends brings
# (x264enc: gstreamer1.0-plugins-ugly) is checked after installing
# vplaned's Recommends. Needs root (chroot).
#
# Cache: the root with the packages' dependencies installed (apt-get
# satisfy of their Depends and Pre-Depends, the same resolution apt-get
# install ./*.deb makes), keyed on those fields and the base root; a rerun
# unpacks it and installs only the packages themselves.
set -euo pipefail
debs=$(cd "${1:?usage: install-check.sh DEBDIR}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=debroot.sh
. "$src/tests/packaging/debroot.sh"

for t in mmdebstrap chroot flock dpkg-deb; do
	command -v "$t" >/dev/null || {
		echo "install-check: $t not found (tests/deps.sh installs it)" >&2
		exit 1
	}
done
[ "$(id -u)" = 0 ] || {
	echo "install-check: needs root (the clean root is a chroot)" >&2
	exit 1
}
shopt -s nullglob
files=("$debs"/*.deb)
[ ${#files[@]} -gt 0 ] || {
	echo "install-check: no .deb in $debs" >&2
	exit 1
}

# the packages' own names, and their dependencies on anything else
ours=()
for f in "${files[@]}"; do
	ours+=("$(dpkg-deb -f "$f" Package)")
done
deps=$(for f in "${files[@]}"; do
	for field in Pre-Depends Depends; do
		dpkg-deb -f "$f" "$field" | tr ',' '\n'
	done
done | sed -E 's/^\s+|\s+$//g' | grep -v '^$' |
	grep -vE "^($(IFS='|'; echo "${ours[*]}"))(\s|$)" | sort -u |
	paste -sd, - | sed 's/,/, /g')

tmp=$(mktemp -d /tmp/vplane-install.XXXXXX)
root=$tmp/root
trap 'debroot_remove "$tmp"' EXIT

start=$(date +%s)
base=$(debroot_base minbase)
key=$({ basename "$base"; echo "$deps"; } | sha256sum | cut -c1-16)
if cached=$(debroot_cached "install-$key"); then
	debroot_enter "$cached" "$root"
	echo "install-check: the packages' dependencies from the cache"
else
	debroot_enter "$base" "$root"
	debroot_run "$root" apt-get satisfy -q --no-install-recommends \
		"$deps" >"$tmp/satisfy.log" 2>&1 || {
		tail -n 40 "$tmp/satisfy.log" >&2
		echo "install-check: the packages' dependencies do not install" >&2
		exit 1
	}
	debroot_save "$root" "install-$key"
fi

mkdir -p "$root/tmp/debs"
cp "${files[@]}" "$root/tmp/debs/"
debroot_run "$root" sh -c \
	'cd /tmp/debs && apt-get install -q --no-install-recommends ./*.deb' \
	>"$tmp/install.log" 2>&1 || {
	tail -n 40 "$tmp/install.log" >&2
	echo "install-check: apt-get install ./*.deb failed (log above)" >&2
	exit 1
}
echo "install-check: apt-get install ./*.deb in a clean root:" \
	"$(($(date +%s) - start)) s"

bad=0
for p in "${ours[@]}"; do
	if debroot_run "$root" dpkg-query -W -f '${Status}\n' "$p" |
		grep -q 'install ok installed'; then
		echo "ok: $p installed"
	else
		echo "FAIL: $p is not installed"
		bad=1
	fi
done
for prog in vplaned vplanectl; do
	if out=$(debroot_run "$root" "$prog" --help 2>&1 >/dev/null) ||
		[ -z "$(echo "$out" | grep -E 'error while loading|not found')" ]; then
		echo "ok: $prog runs"
	else
		echo "$out"
		echo "FAIL: $prog does not start in the clean root"
		bad=1
	fi
done

# gst-inspect-1.0 is the check's tool, not a dependency: installed only
# now, it brings no plugin (gstreamer1.0-tools depends on the core only)
debroot_run "$root" apt-get install -q --no-install-recommends \
	gstreamer1.0-tools >>"$tmp/install.log" 2>&1 || {
	tail -n 20 "$tmp/install.log" >&2
	echo "install-check: gstreamer1.0-tools does not install" >&2
	exit 1
}
inspect() {
	debroot_run "$root" gst-inspect-1.0 "$1" >/dev/null 2>&1
}
mapfile -t elements < <("$src/tests/packaging/gst-elements.sh" "$src")
[ ${#elements[@]} -ge 10 ] || {
	echo "FAIL: gst-elements.sh found only ${#elements[@]} elements"
	exit 1
}
later=()
for line in "${elements[@]}"; do
	e=${line% *}
	if [ "${line#* }" = hardware ]; then
		echo "not checked: $e (a hardware encoder's, needs its device)"
	elif inspect "$e"; then
		echo "ok: $e"
	else
		later+=("$e")
	fi
done

# what vplaned's Recommends bring (x264enc from gstreamer1.0-plugins-ugly)
if [ ${#later[@]} -gt 0 ]; then
	recs=$(dpkg-deb -f "$debs"/vplaned_*.deb Recommends | tr ',' '\n' |
		sed -E 's/^\s+|\s+$//; s/\s.*//' | grep -v '^$' |
		grep -vxE "$(IFS='|'; echo "${ours[*]}")" || true)
	# shellcheck disable=SC2086
	debroot_run "$root" apt-get install -q --no-install-recommends $recs \
		>>"$tmp/install.log" 2>&1 || {
		tail -n 20 "$tmp/install.log" >&2
		echo "FAIL: vplaned's Recommends ($recs) do not install"
		bad=1
	}
	for e in "${later[@]}"; do
		if inspect "$e"; then
			echo "ok: $e (from vplaned's Recommends: $(echo $recs))"
		else
			echo "FAIL: GStreamer element $e cannot be made with vplaned" \
				"and its Depends and Recommends installed"
			bad=1
		fi
	done
fi
exit $bad
