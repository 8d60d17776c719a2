#!/bin/bash
# SPDX-License-Identifier: MIT
# driver-input-udev: data/60-vplane.rules applied by the real systemd-udevd
# to a vGPU's input devices: no ID_INPUT* (logind, libinput and Xorg skip
# them), LIBINPUT_IGNORE_DEVICE=1, group vplane mode 0660 on the event
# nodes, and the /dev/input/by-vplane/<uuid>-kbd|-head<n> links. The rule
# goes into /run/udev/rules.d of the guest's throw-away root.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
vp_load_vfio
vp_modprobe evdev
vp_insmod "$VPLANE_MODULES/vplane.ko"
vp_udevd "${VPLANE_RESULTS:-/tmp}/input-udevd.log" ||
	fail "systemd-udevd did not start"
trap 'udevadm control --exit || true' EXIT
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >/sys/class/mdev_bus/vplane/mdev_supported_types/vplane-2head/create
udevadm settle --timeout=60 || fail "udevadm settle timed out"
for role in kbd head0 head1; do
	link=/dev/input/by-vplane/$uuid-$role
	[ -L "$link" ] || fail "no $link (ls: $(ls /dev/input/by-vplane 2>&1 | tr '\n' ' '))"
	node=$(readlink -f "$link")
	props=$(udevadm info --query=property --name="$node")
	echo "# $link -> $node"
	echo "$props" | sed 's/^/#   /'
	phys=$(cat "/sys/class/input/$(basename "$node")/device/phys")
	[ "$phys" = "vplane/$uuid/$role" ] || fail "$link points to $phys"
	echo "$props" | grep -qx 'LIBINPUT_IGNORE_DEVICE=1' ||
		fail "$node: no LIBINPUT_IGNORE_DEVICE=1"
	if echo "$props" | grep -q '^ID_INPUT'; then
		fail "$node still has $(echo "$props" | grep '^ID_INPUT' | tr '\n' ' ')"
	fi
	if udevadm info --query=property --path="/class/input/$(basename "$node")/device" |
		grep -q '^ID_INPUT'; then
		fail "the input device of $node still has ID_INPUT*"
	fi
	got=$(stat -c '%G %a' "$node")
	[ "$got" = "vplane 660" ] || fail "$node is '$got', the rule says 'vplane 660'"
done
# the mouse nodes mousedev makes for the pointers are the VMM's too
for m in /sys/bus/mdev/devices/$uuid/input/input*/mouse*; do
	[ -e "$m" ] || continue
	got=$(stat -c '%G %a' "/dev/input/$(basename "$m")")
	[ "$got" = "vplane 660" ] || fail "/dev/input/$(basename "$m") is '$got'"
done
echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
udevadm settle --timeout=60 || fail "udevadm settle timed out"
[ -z "$(ls /dev/input/by-vplane 2>/dev/null)" ] ||
	fail "links left after removal: $(ls /dev/input/by-vplane)"
vp_check_no_leaks
echo "PASS: driver-input-udev"
