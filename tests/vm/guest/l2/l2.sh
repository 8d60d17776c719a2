#!/bin/bash
# A nested (L2) guest test (tests/vm/guest/l2/l2_test.py TEST): loads the
# VFIO stack, vplane.ko and uinput, makes a vGPU for the guest, runs the
# test and removes the vGPU again.
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
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >"/sys/class/mdev_bus/vplane/mdev_supported_types/${VPLANE_L2_TYPE:-vplane-1head}/create" || {
	echo "cannot create a vGPU"
	exit 1
}
python3 "$VPLANE_SRC/tests/vm/guest/l2/l2_test.py" "$@" --uuid "$uuid"
rc=$?
echo 1 >"/sys/bus/mdev/devices/$uuid/remove" || rc=1
exit $rc
