#!/bin/bash
# Demo step 4, a VDI host: vplaned runs headless and shows the vGPU that a
# guest (the simulator) flips at 30 fps; the display node carries the
# flips, vplaned acks them on present, and grim, a real Wayland client,
# takes a screenshot of the output. The PNG comes back to the host.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
vp_load_vfio
vp_insmod "$VPLANE_MODULES/vplane.ko"
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >/sys/class/mdev_bus/vplane/mdev_supported_types/vplane-1head/create

export XDG_RUNTIME_DIR=/tmp/demo-xdg WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
log="$VPLANE_RESULTS/vplaned.log"
"$VPLANE_BUILD/server/vplaned" --backend headless --vgpu "$uuid" \
	--socket demo >"$log" 2>&1 &
vplaned=$!
for _ in $(seq 100); do
	[ -S "$XDG_RUNTIME_DIR/demo" ] && break
	sleep 0.2
done
echo "vplaned is up (headless, one output per vGPU head)"

"$VPLANE_BUILD/examples/vplane-sim" --uuid "$uuid" --mode 640x480 \
	--rate 30 --frames 90 --no-cursor &
sim=$!
sleep 2
WAYLAND_DISPLAY=demo grim "$VPLANE_RESULTS/vdi-screenshot.png"
echo "grim took a screenshot of vplaned's output mid-stream"
wait "$sim"
kill -TERM "$vplaned"
wait "$vplaned" || true
grep -E "vGPU .*: events|source .*: .* flip events" "$log" | sed 's/^.*\] //'
echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
echo "screenshot: build/vm/debian/demo/vdi-screenshot.png (on the host)"
