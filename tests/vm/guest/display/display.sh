#!/bin/bash
# One display-node test on a fresh vGPU: display.sh <test> [args]
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vfio
vp_insmod "$VPLANE_MODULES/vplane.ko"
types=/sys/class/mdev_bus/vplane/mdev_supported_types
type=$(ls "$types" | head -n 1)
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >"$types/$type/create"
rc=0
"$VPLANE_BUILD/tests/vm/display-test" "$uuid" "$@" || rc=$?
[ ! -e "/sys/bus/mdev/devices/$uuid" ] || echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
# whatever the test did, nothing may outlive it
vp_check_no_leaks || rc=1
exit $rc
