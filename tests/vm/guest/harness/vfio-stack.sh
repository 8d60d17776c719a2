#!/bin/bash
# vfio, vfio_iommu_type1 and mdev load from the Debian kernel; the container
# answers API version and type1.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vfio
for m in vfio vfio_iommu_type1 mdev; do
	[ -d /sys/module/$m ] || { echo "FAIL: $m not loaded"; exit 1; }
done
exec "$VPLANE_BUILD/tests/vm/vfio-stack"
