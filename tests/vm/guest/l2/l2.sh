#!/bin/bash
# A nested (L2) guest test: loads the VFIO stack, vplane.ko and uinput,
# makes a vGPU for the guest, runs the test and removes the vGPU again.
#   l2.sh boot|input|debian   tests/vm/guest/l2/l2_test.py TEST
#   l2.sh e2e|clients         tests/vm/guest/l2/l2_e2e.py or
#                             l2_clients.py: vplane.ko's own input
#                             devices, named by the real systemd-udevd
#                             from data/60-vplane.rules, and vplaned
#                             (with vplanectl, or wayvnc and Chromium)
#                             driving them
set -u
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
[ -n "${VPLANE_L2:-}" ] || {
	echo "VPLANE_L2 unset: the group needs the line '# vmrun: needs l2'"
	exit 1
}
command -v qemu-system-x86_64 >/dev/null || {
	echo "qemu-system-x86_64 missing (tests/deps.sh installs qemu-system-x86)"
	exit 1
}
vp_load_vfio || exit 1
vp_insmod "$VPLANE_MODULES/vplane.ko" || exit 1
vp_modprobe uinput || exit 1
vp_modprobe evdev || exit 1
udevd=
if [ "$1" = e2e ] || [ "$1" = clients ]; then
	# the driver's rule names the vGPU's devices /dev/input/by-vplane/
	# (what README and examples/vmm give QEMU)
	mkdir -p "$VPLANE_RESULTS/l2-$1"
	vp_udevd "$VPLANE_RESULTS/l2-$1/udevd.log" || {
		echo "systemd-udevd did not start"
		exit 1
	}
	udevd=1
fi
seatd_pid=
if [ "$1" = clients ]; then
	# the kiosk: vplaned on vkms, the seat's devices through seatd
	vp_load_vkms || exit 1
	card=
	for c in /sys/class/drm/card[0-9]*; do
		case ${c##*/} in *-*) continue ;; esac # a connector, not a card
		case $(readlink -f "$c/device") in */vkms*) card=/dev/dri/${c##*/} ;; esac
	done
	[ -n "$card" ] || { echo "no vkms card"; exit 1; }
	seatd -u root >"$VPLANE_RESULTS/l2-clients/seatd.log" 2>&1 &
	seatd_pid=$!
	export LIBSEAT_BACKEND=seatd WLR_DRM_DEVICES=$card
fi
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >"/sys/class/mdev_bus/vplane/mdev_supported_types/${VPLANE_L2_TYPE:-vplane-1head}/create" || {
	echo "cannot create a vGPU"
	exit 1
}
if [ -n "$udevd" ]; then
	udevadm settle --timeout=$((60 * ${VPLANE_SLOWDOWN:-1})) ||
		echo "udevadm settle timed out"
	python3 "$VPLANE_SRC/tests/vm/guest/l2/l2_$1.py" --uuid "$uuid"
else
	python3 "$VPLANE_SRC/tests/vm/guest/l2/l2_test.py" "$@" --uuid "$uuid"
fi
rc=$?
echo 1 >"/sys/bus/mdev/devices/$uuid/remove" || rc=1
[ -z "$udevd" ] || udevadm control --exit || true
[ -z "$seatd_pid" ] || kill "$seatd_pid" 2>/dev/null || true
exit $rc
