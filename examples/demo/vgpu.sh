#!/bin/bash
# Demo step 3: vplane.ko registers its vGPU types; create one vGPU and show
# the VFIO device a VMM would be given.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vfio
vp_insmod "$VPLANE_MODULES/vplane.ko"
types=/sys/class/mdev_bus/vplane/mdev_supported_types
for t in "$types"/*; do
	echo "type $(basename "$t"): $(cat "$t/name" 2>/dev/null)," \
		"$(cat "$t/available_instances") available"
	sed 's/^/    /' "$t/description"
done
first=$(ls "$types" | head -n 1)
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >"$types/$first/create"
group=$(basename "$(readlink "/sys/bus/mdev/devices/$uuid/iommu_group")")
echo "created vGPU $uuid ($first): VMM uses /dev/vfio/$group," \
	"QEMU -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$uuid"
if [ -x "$VPLANE_BUILD/examples/vplane-sim" ]; then
	"$VPLANE_BUILD/examples/vplane-sim" --uuid "$uuid" --frames 60
fi
echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
rmmod vplane
echo "vGPU removed, vplane.ko unloaded"
