#!/bin/bash
# vplane.ko loads into the real kernel, registers its mdev parent, and
# unloads cleanly.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
ko="$VPLANE_MODULES/vplane.ko"
if [ ! -f "$VPLANE_SRC/driver/Kbuild" ]; then
	echo "driver/ has no module yet"
	exit 77
fi
[ -f "$ko" ] || { echo "FAIL: driver/ exists but $ko was not built"; exit 1; }
vp_load_vfio
vp_insmod "$ko"
[ -d /sys/class/mdev_bus/vplane ] || { echo "FAIL: no mdev parent 'vplane'"; exit 1; }
ls /sys/class/mdev_bus/vplane/mdev_supported_types
rmmod vplane
[ ! -d /sys/module/vplane ] || { echo "FAIL: vplane still loaded"; exit 1; }
echo "# vplane.ko: load, mdev parent registered, unload ok"
