#!/bin/bash
# QEMU's hw/vfio/display.c sequence against vplane and, in the same run,
# against the kernel's mbochs sample; prints their figures side by side.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vfio
seq="$VPLANE_BUILD/tests/vm/gfx-seq"
bench=${GFX_SEQ_BENCH:-2000}

run_on() { # parent type label [gfx-seq flags]
	local uuid rc=0
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "$uuid" >"/sys/class/mdev_bus/$1/mdev_supported_types/$2/create"
	"$seq" -u "$uuid" -l "$3" -b "$bench" "${@:4}" || rc=$?
	echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
	return $rc
}

rc=0
vp_insmod "$VPLANE_MODULES/mbochs.ko"
run_on mbochs mbochs-medium mbochs -p || rc=1
rmmod mbochs
if [ -f "$VPLANE_MODULES/vplane.ko" ]; then
	vp_insmod "$VPLANE_MODULES/vplane.ko"
	type=$(ls /sys/class/mdev_bus/vplane/mdev_supported_types | head -n 1)
	run_on vplane "$type" vplane || rc=1
	rmmod vplane
else
	echo "FAIL: no vplane.ko"; rc=1
fi
exit $rc
