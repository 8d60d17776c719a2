#!/bin/bash
# SPDX-License-Identifier: MIT
# dkms-exclusive.sh: driver/dkms.conf limits DKMS to the kernel series the
# driver supports (BUILD_EXCLUSIVE_KERNEL, 6.1 to 6.12), so a kernel package of another
# series installs without DKMS failing on the module (Kbuild has -Werror).
# Checked with the real dkms in a private tree (--dkmstree/--sourcetree,
# nothing on the system changes): the VM harness's kernel release (the one
# the VM suite loads vplane.ko into) is not excluded (dkms goes on to look
# for its headers, which it is pointed away from, so nothing is built), and
# releases of other series are: dkms exits 77 with its BUILD_EXCLUSIVE
# message.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v dkms >/dev/null || {
	echo "FAIL: dkms not found (tests/deps.sh installs it)"
	exit 1
}
kdir=$("$src/tests/vm/vmrun" kdir | tail -n 1)
harness=$(basename "$kdir")
harness=${harness#linux-headers-}
[[ $harness =~ ^[0-9]+\.[0-9]+ ]] || {
	echo "FAIL: no kernel release in the harness's kdir '$kdir'"
	exit 1
}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/driver/dkms.conf")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/vplane-$version" "$tmp/tree" "$tmp/inst"
cp -r "$src/driver/." "$tmp/src/vplane-$version/"
opts=(--dkmstree "$tmp/tree" --sourcetree "$tmp/src" --installtree "$tmp/inst")
dkms add -m vplane -v "$version" "${opts[@]}" >"$tmp/add.log" 2>&1 || {
	cat "$tmp/add.log"
	echo "FAIL: dkms add of driver/ failed"
	exit 1
}

# build KREL: prints dkms's exit status; no headers at the given dir, so a
# kernel dkms accepts stops at the headers check, before any compiling
build() {
	local rc=0
	dkms build -m vplane -v "$version" -k "$1" "${opts[@]}" \
		--kernelsourcedir "$tmp/no-headers" >"$tmp/build-$1.log" 2>&1 ||
		rc=$?
	echo "$rc"
}

bad=0
rc=$(build "$harness")
if [ "$rc" = 77 ] || grep -q 'BUILD_EXCLUSIVE' "$tmp/build-$harness.log"; then
	cat "$tmp/build-$harness.log"
	echo "FAIL: dkms excludes the harness kernel $harness"
	bad=1
elif ! grep -q 'headers' "$tmp/build-$harness.log"; then
	cat "$tmp/build-$harness.log"
	echo "FAIL: dkms build for $harness did not stop at the headers (exit $rc)"
	bad=1
else
	echo "ok: $harness (the VM harness's kernel) is accepted by dkms"
fi
# the other end and the middle of the range: accepted, stop at the headers
for k in 6.12.95+deb12-amd64 6.12.117+deb13-amd64 6.6.0-1-amd64; do
	rc=$(build "$k")
	if [ "$rc" = 77 ] || grep -q 'BUILD_EXCLUSIVE' "$tmp/build-$k.log" ||
		! grep -q 'headers' "$tmp/build-$k.log"; then
		cat "$tmp/build-$k.log"
		echo "FAIL: dkms does not accept $k (exit $rc)"
		bad=1
	else
		echo "ok: $k is accepted by dkms"
	fi
done
# other series, and look-alikes a loose regex would take
for k in 5.10.0-30-amd64 6.0.0-1-amd64 6.13.0-1-amd64 7.3.4+deb13-amd64 \
	16.1.0-1-amd64 4.6.1-1-amd64 6.120.0-1-amd64 6.1; do
	rc=$(build "$k")
	if [ "$rc" = 77 ] && grep -q 'BUILD_EXCLUSIVE' "$tmp/build-$k.log"; then
		echo "ok: $k is skipped (BUILD_EXCLUSIVE, exit 77)"
	else
		cat "$tmp/build-$k.log"
		echo "FAIL: dkms does not skip $k (exit $rc)"
		bad=1
	fi
done
exit $bad
