#!/bin/bash
# SPDX-License-Identifier: MIT
# vmm-examples.sh VPLANE-HANDOVER: the examples/vmm files hold up without a
# vGPU. libvirt's own schema (virt-xml-validate) accepts the domain
# example, and refuses a copy with an invalid hostdev attribute, so the
# check can fail. qemu-vgpu.sh and vplane-handover refuse bad arguments with
# a reason. (The VM group 'install' runs both against a real vGPU.)
set -uo pipefail
handover=${1:?usage: vmm-examples.sh VPLANE-HANDOVER}
src=$(cd "$(dirname "$0")/../.." && pwd)
vmm=$src/examples/vmm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
# expect_fail WHAT PATTERN CMD...: CMD exits non-zero and says PATTERN
expect_fail() {
	local what=$1 pattern=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		echo "FAIL: $what: accepted"
		bad=1
	elif ! grep -q -- "$pattern" <<<"$out"; then
		echo "FAIL: $what: no '$pattern' in: $out"
		bad=1
	else
		echo "ok: $what: $out"
	fi
}

if command -v virt-xml-validate >/dev/null; then
	if out=$(virt-xml-validate "$vmm/libvirt-vgpu.xml" domain 2>&1); then
		echo "ok: $out"
	else
		echo "FAIL: $out"
		bad=1
	fi
	sed "s/display='off'/display='sometimes'/" "$vmm/libvirt-vgpu.xml" >"$tmp/bad.xml"
	expect_fail "libvirt schema, invalid display=" "fails to validate" \
		virt-xml-validate "$tmp/bad.xml" domain
else
	echo "virt-xml-validate not installed (libvirt-clients; tests/deps.sh)"
	exit 77
fi

sh -n "$vmm/qemu-vgpu.sh" || { echo "FAIL: qemu-vgpu.sh does not parse"; bad=1; }
: >"$tmp/disk.img"
expect_fail "qemu-vgpu.sh, no arguments" "usage:" sh "$vmm/qemu-vgpu.sh"
expect_fail "qemu-vgpu.sh, missing disk" "no disk image" \
	sh "$vmm/qemu-vgpu.sh" 00000000-0000-0000-0000-000000000000 "$tmp/none.img"
expect_fail "qemu-vgpu.sh, unknown vGPU" "no vGPU" \
	sh "$vmm/qemu-vgpu.sh" 00000000-0000-0000-0000-000000000000 "$tmp/disk.img"

expect_fail "vplane-handover, no arguments" "usage:" "$handover"
expect_fail "vplane-handover, not a UUID" "is not an mdev UUID" \
	"$handover" "$tmp/sock" ../../etc/passwd
expect_fail "vplane-handover, no such vGPU" "no such vGPU" \
	"$handover" "$tmp/sock" 00000000-0000-0000-0000-000000000000
exit $bad
