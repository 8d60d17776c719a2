#!/bin/bash
# A vplane plane scanned out by vkms through PRIME import, CRC-checked.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vkms
vp_load_vfio
vp_insmod "$VPLANE_MODULES/vplane.ko"
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >/sys/class/mdev_bus/vplane/mdev_supported_types/vplane-1head/create
rc=0
"$VPLANE_BUILD/tests/vm/kms-import" "$uuid" || rc=$?
echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
vp_check_no_leaks || rc=1
exit $rc
