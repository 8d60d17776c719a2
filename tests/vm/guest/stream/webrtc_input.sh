#!/bin/bash
# A WebRTC viewer's keyboard and pointer into the VM (issue 15): the
# simulator draws, vplaned (headless, --webrtc) serves the viewer page,
# vp-evdev-grab holds the vGPU's input devices as the VMM would, and
# headless Chromium (webrtc_input.py) types, clicks and scrolls on the
# page: first with a view-only token (nothing arrives), then with a
# control token (exact keys, clicks on the same pixel, the wheel, a
# flood refused and rate-limited, latency, a tab closed mid-keypress
# leaves no key down).
#   webrtc_input.sh            the checks, 20 presses for the latency
#   webrtc_input.sh bench [N]  only the latency, over N presses (200)
# Not in a group yet: in its first VM run the control viewer's page did
# not answer the offer (with its data channel) within 60 s.
set -e
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
MODE=${1:-check}
PRESSES=${2:-200}
R=$VPLANE_RESULTS/stream-webrtc-input${MODE#check}
mkdir -p "$R"
for t in chromium; do
	command -v $t >/dev/null || { echo "$t not installed"; exit 77; }
done
gst-inspect-1.0 x264enc >/dev/null 2>&1 || { echo "x264enc not installed (gstreamer1.0-plugins-ugly)"; exit 77; }
gst-inspect-1.0 webrtcbin >/dev/null 2>&1 || { echo "webrtcbin not installed (gstreamer1.0-plugins-bad)"; exit 77; }
gst-inspect-1.0 nicesrc >/dev/null 2>&1 || { echo "libnice's GStreamer plugin not installed (gstreamer1.0-nice)"; exit 77; }
HERE=$VPLANE_SRC/tests/vm/guest/stream
GRAB=$VPLANE_BUILD/tests/vm/vp-evdev-grab
W=320 H=240
PORT=8080
SLOW=${VPLANE_SLOWDOWN:-1}
HOLD_MS=$((1000 * SLOW)) ACK_TIMEOUT_MS=$((2000 * SLOW))
rnd() { od -An -N8 -tx8 /dev/urandom | tr -d ' '; }
VIEW=vplane-view-$(rnd) CONTROL=vplane-control-$(rnd)
# the token file's permission word (README, "WebRTC"): view by default
printf '%s\n%s control\n' "$VIEW" "$CONTROL" >"$R/token"
chmod 600 "$R/token"
ip link set lo up 2>/dev/null || true

# the event nodes the VMM (here vp-evdev-grab) reads: evdev, a module
vp_modprobe evdev
make_vgpu
echo $ACK_TIMEOUT_MS >/sys/module/vplane/parameters/ack_timeout_ms
# the VMM's side of the vGPU's input devices
"$GRAB" "$uuid" 0 >"$R/grab.log" 2>"$R/grab.err" &
grab_pid=$!
extra_pids="$extra_pids $grab_pid"
wait_for "vp-evdev-grab not ready: $(cat "$R/grab.err")" 10 grep -q ready "$R/grab.log"
start_vplaned --backend headless --vgpu "$uuid" --webrtc --rtsp-no-auth \
	--webrtc-port $PORT --webrtc-token-file "$R/token" \
	--stream-ack-hold-ms $HOLD_MS ${VPLANED_DEBUG:+--verbose}
wait_streamed "$uuid/0" 60
"$SIM" --uuid "$uuid" --mode ${W}x$H --rate 10 --no-cursor --quiet \
	--flip-timeout $((ACK_TIMEOUT_MS + 1000)) >"$R/sim.log" 2>&1 &
sim_pid=$!
wait_direct "$uuid/0" 30

args=()
[ "$MODE" != bench ] || args=(--only-latency --presses "$PRESSES")
rc=0
t0=$(date +%s)
VPLANED_PID=$vp_pid timeout $((1200 * SLOW)) /usr/bin/python3 "$HERE/webrtc_input.py" \
	"http://127.0.0.1:$PORT" "$uuid/0" "$VIEW" "$CONTROL" "$R/grab.log" $W $H \
	"${args[@]}" >"$R/input.txt" 2>&1 || rc=$?
cat "$R/input.txt"
echo "# webrtc input: $(($(date +%s) - t0)) s in Chromium (TCG)"
kill -0 "$grab_pid" || fail "vp-evdev-grab ended: $(cat "$R/grab.err")"
kill -TERM "$grab_pid"; wait "$grab_pid" || true
kill -TERM "$sim_pid"; wait "$sim_pid" || true
[ $rc = 0 ] || fail "webrtc_input.py: exit $rc"
if [ "$MODE" != bench ]; then
	# the log lines are themselves what is checked: a view-only viewer
	# said so once, a flood's refusals were logged, not per message
	grep -q "view only (its token does not control)" "$R/vplaned.log" ||
		fail "the view-only viewer was not logged as such"
	n=$(grep -c "input refused:" "$R/vplaned.log" || true)
	[ "$n" -ge 1 ] && [ "$n" -le 30 ] || fail "$n 'input refused' lines for one flood"
fi
stop_vplaned
