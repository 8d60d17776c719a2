#!/bin/bash
# SPDX-License-Identifier: MIT
# server-kiosk-input: the kiosk's seat (vplaned --backend drm on vkms,
# 1024x768) with a keyboard and a mouse made with uinput, which the real
# systemd-udevd tags and wlroots' libinput backend opens through seatd,
# like a kiosk's USB devices. Two vGPUs, one output: A (512x300, so
# letterboxed at 2x) is shown first, the next-head combination switches
# the output to B (1024x768, direct scanout). kiosk_input.py plays the
# person and the VMMs (it grabs each vGPU's evdev devices) and checks:
# keys and clicks reach the vGPU under the pointer at the right head
# pixel (+-1), leaving the head releases a held key, the reserved
# combinations never reach a VM and leave no modifier down, "release"
# stops forwarding until a click, a keyboard plugged in later works and
# unplugging it with a key down releases the key, the wheel arrives in
# detents and 120ths; the public socket offers no wl_seat. Then vplaned
# is restarted with --seat-focus click, the devices now older than it: a
# click focuses a head, the focus stays off the head, "next" shows B
# unfocused (keys reach nobody until a click), a relative mouse stops
# exactly at the output's edges whatever its acceleration, and
# unplugging it with a button down releases the button. Then: B is still
# scanned out directly with the seat attached, and vplaned exits cleanly.
set -e
test=kiosk-input
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
. "$VPLANE_SRC/tests/vm/guest/server/kiosk_lib.sh"

kiosk_seat
kiosk_setup
ub=$(new_vgpu) || fail "cannot create a second vGPU"
uuids=$ub
udevadm settle --timeout=60 || fail "udevadm settle timed out"
start_vplaned --backend drm --vgpu "$uuid" --vgpu "$ub"
kiosk_hold "$uuid:512x300" "$ub:1024x768"
wait_for "head A is not shown" 20 listed "^  $uuid/0: .* on "
# the seat is vplaned's: the public (capture) socket offers no wl_seat
WAYLAND_DISPLAY=$SOCK timeout 20 wayland-info >"$R/public-globals.txt" 2>&1 ||
	fail "wayland-info: $(tail -n 3 "$R/public-globals.txt")"
grep -q "interface: 'wl_output'" "$R/public-globals.txt" ||
	fail "wayland-info listed no wl_output: $(head -n 5 "$R/public-globals.txt")"
! grep -q "interface: 'wl_seat'" "$R/public-globals.txt" ||
	fail "the public socket offers the kiosk's wl_seat"

start=$(date +%s)
timeout $((300 * ${VPLANE_SLOWDOWN:-1})) python3 \
	"$VPLANE_SRC/tests/vm/guest/server/kiosk_input.py" "$uuid" "$ub" "$R" &
py_pid=$!
extra_pids="$extra_pids $py_pid"
part1_over() { [ -e "$R/part1-done" ] || ! kill -0 "$py_pid" 2>/dev/null; }
wait_for "kiosk_input.py's first part did not end" 300 part1_over
if [ -e "$R/part1-done" ]; then
	# the second part: click focus, and the seat's devices are older
	# than vplaned (the vGPUs' simulators and grabs stay)
	stop_vplaned
	start_vplaned --backend drm --vgpu "$uuid" --vgpu "$ub" \
		--seat-focus click
	wait_for "head A is not shown after the restart" 30 \
		listed "^  $uuid/0: .* on "
	: >"$R/restarted"
fi
wait "$py_pid" || fail "kiosk_input.py (above)"
echo "# kiosk input: the person's part took $(($(date +%s) - start)) s"

# the seat attached, no host cursor: B's head is still scanned out as is
listed "^  $ub/0: .* on " || fail "B is not shown after the next combination"
wait_direct "$ub/0" 30
echo "# direct frames of B: $(head_stat "$ub/0" output_frames_direct)"
stop_vplaned
echo "PASS: server-kiosk-input"
