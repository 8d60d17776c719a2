#!/bin/bash
# SPDX-License-Identifier: MIT
# server-bench-kiosk-input (issue 15 "Figures"): the kiosk's input
# latency against a same-run baseline. The kiosk's seat as in
# server-kiosk-input (vplaned --backend drm on vkms, uinput devices that
# the real systemd-udevd tags and libinput opens through seatd), one
# 1024x768 vGPU shown 1:1, its keyboard and head 0 pointer grabbed as
# QEMU does. kiosk_bench.py presses keys and clicks on the kiosk's
# devices, then, with vplaned stopped, writes the same presses straight
# into the vGPU's devices (vp-input-send: VPLANE_DISPLAY_INPUT, the
# ioctl vplaned's input core ends in). Each press is timed from its
# write to the event's own time on the vGPU's evdev device, both
# CLOCK_MONOTONIC. Figures as '# ' lines; sanity asserts only (every
# event exactly once and in order, nothing else, nothing left down).
#   kiosk_bench.sh [N]   (N key presses, N clicks of each mouse; default
#                         $KIOSK_BENCH_N, else 200)
set -e
test=kiosk-bench
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
. "$VPLANE_SRC/tests/vm/guest/server/kiosk_lib.sh"
SEND=$VPLANE_BUILD/tests/vm/vp-input-send
[ -x "$SEND" ] || { echo "vp-input-send not built"; exit 77; }
n=${1:-${KIOSK_BENCH_N:-200}}

kiosk_seat
kiosk_setup
udevadm settle --timeout=60 || fail "udevadm settle timed out"
start_vplaned --backend drm --vgpu "$uuid"
kiosk_hold "$uuid:1024x768"
wait_for "the head is not shown" 20 listed "^  $uuid/0: .* on "

start=$(date +%s)
timeout $(((120 + n) * ${VPLANE_SLOWDOWN:-1})) python3 \
	"$VPLANE_SRC/tests/vm/guest/server/kiosk_bench.py" "$uuid" "$R" "$n" \
	"$SEND" &
py_pid=$!
extra_pids="$extra_pids $py_pid"
kiosk_over() { [ -e "$R/kiosk-done" ] || ! kill -0 "$py_pid" 2>/dev/null; }
wait_for "kiosk_bench.py's kiosk part did not end" $((60 + n)) kiosk_over
if [ -e "$R/kiosk-done" ]; then
	# the baseline takes the ack role, which is vplaned's while it runs
	stop_vplaned
	: >"$R/vplaned-stopped"
fi
wait "$py_pid" || fail "kiosk_bench.py (above)"
echo "# kiosk bench: $(($(date +%s) - start)) s for $n key presses and $n clicks of each mouse per path"
echo "PASS: server-$test"
