#!/bin/bash
# Load vfio + vplane.ko, then run one in-guest driver test binary.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
ko="$VPLANE_MODULES/vplane.ko"
[ -f "$ko" ] || { echo "FAIL: $ko was not built"; exit 1; }
vp_load_vfio
vp_insmod "$ko"
exec "$VPLANE_BUILD/tests/vm/guest/driver/$@"
