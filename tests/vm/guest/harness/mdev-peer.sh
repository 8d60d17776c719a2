#!/bin/bash
# The kernel's mbochs sample, built by the harness, is a working mdev peer:
# it registers its types, an instance can be created and removed, and the
# module unloads.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vfio
vp_insmod "$VPLANE_MODULES/mbochs.ko"
types=/sys/class/mdev_bus/mbochs/mdev_supported_types
ls "$types"
[ -d "$types/mbochs-small" ] || { echo "FAIL: no mbochs-small type"; exit 1; }
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >"$types/mbochs-small/create"
[ -d "/sys/bus/mdev/devices/$uuid" ] || { echo "FAIL: no device $uuid"; exit 1; }
group=$(basename "$(readlink "/sys/bus/mdev/devices/$uuid/iommu_group")")
[ -c "/dev/vfio/$group" ] || { echo "FAIL: no /dev/vfio/$group"; exit 1; }
echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
[ ! -e "/sys/bus/mdev/devices/$uuid" ] || { echo "FAIL: $uuid not removed"; exit 1; }
rmmod mbochs
echo "# mbochs: create, vfio group $group, remove, rmmod ok"
