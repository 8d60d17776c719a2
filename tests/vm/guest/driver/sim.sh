#!/bin/bash
# examples' vplane-sim drives vplane.ko in several configurations and sees
# every flip completed: bochs path, vplane path from VRAM and guest RAM,
# two heads, RGB565, a fast flip rate.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
# under the debug kernel (KASAN) a 1080p guest-RAM flip takes longer
sim() { "$VPLANE_BUILD/examples/vplane-sim" \
	--flip-timeout $((1000 * ${VPLANE_SLOWDOWN:-1})) "$@"; }
[ -x "$VPLANE_BUILD/examples/vplane-sim" ] || { echo "vplane-sim not built (examples disabled)"; exit 77; }
vp_load_vfio
vp_insmod "$VPLANE_MODULES/vplane.ko"
sim --create vplane-1head --bochs --mode 800x600 --frames 20 --quiet
sim --create vplane-1head --mode 1024x768 --frames 30 --quiet
sim --create vplane-2head --domain ram --mode 1920x1080 --frames 30 --quiet
sim --create vplane-2head --heads 1 --format rgb565 --mode 640x480 \
	--frames 30 --quiet
sim --create vplane-1head --mode 320x240 --rate 1000 --refresh 240 \
	--frames 100 --no-cursor --quiet
grep -q '^dmabufs 0$' /sys/kernel/debug/vplane/stats
grep -q '^pinned_pages 0$' /sys/kernel/debug/vplane/stats
