#!/bin/bash
# Load vfio + vplane.ko, then run one in-guest driver test binary.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
ko="$VPLANE_MODULES/vplane.ko"
[ -f "$ko" ] || { echo "FAIL: $ko was not built"; exit 1; }
vp_load_vfio
vp_insmod "$ko"
# driver-input reads the event nodes evdev makes (a module in Debian)
if [ "$1" = driver-input ]; then
	vp_modprobe evdev
fi
# driver-memory's unmap-race puts a test device (tests/vm/kmod) beside vplane
if [ "$1" = driver-memory ]; then
	vp_insmod "$VPLANE_MODULES/vp_unmap_gate.ko"
fi
exec "$VPLANE_BUILD/tests/vm/guest/driver/$@"
