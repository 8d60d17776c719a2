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
#   webrtc_input.sh takeover   vplaned with --input-control last: a
#                              second control viewer's press takes the
#                              head over, the first's held key released
# check and bench end with the same-run baseline: vplaned stopped,
# vp-input-send writes the same key into the same devices directly
# (VPLANE_DISPLAY_INPUT), its p50/p99 and the ratio as a "# figure".
set -e
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
MODE=${1:-check}
PRESSES=${2:-200}
R=$VPLANE_RESULTS/stream-webrtc-input
[ "$MODE" = check ] || R=$R-$MODE
mkdir -p "$R"
. "$VPLANE_SRC/tests/vm/guest/stream/webrtc_lib.sh"
webrtc_need
GRAB=$VPLANE_BUILD/tests/vm/vp-evdev-grab
VIEW=$(rnd_token view) CONTROL=$(rnd_token control)
# the token file's permission word (README, "WebRTC"): view by default
printf '%s\n%s control\n' "$VIEW" "$CONTROL" >"$R/token"

# the event nodes the VMM (here vp-evdev-grab) reads: evdev, a module
vp_modprobe evdev
make_vgpu
# the VMM's side of the vGPU's input devices
"$GRAB" "$uuid" 0 >"$R/grab.log" 2>"$R/grab.err" &
grab_pid=$!
extra_pids="$extra_pids $grab_pid"
wait_for "vp-evdev-grab not ready: $(cat "$R/grab.err")" 10 grep -q ready "$R/grab.log"
policy=()
[ "$MODE" != takeover ] || policy=(--input-control last)
webrtc_start "$R/token" "${policy[@]}"

SEND=$VPLANE_BUILD/tests/vm/vp-input-send
args=()
case $MODE in
bench) args=(--only-latency --presses "$PRESSES") ;;
takeover) args=(--takeover) ;;
esac
rc=0
t0=$(date +%s)
VPLANED_PID=$vp_pid timeout $((3000 * SLOW)) "$PY" "$HERE/webrtc_input.py" \
	"http://127.0.0.1:$PORT" "$uuid/0" "$VIEW" "$CONTROL" "$R/grab.log" $W $H \
	"${args[@]}" >"$R/input.txt" 2>&1 || rc=$?
cat "$R/input.txt"
echo "# figure webrtc input: $(($(date +%s) - t0)) s in Chromium (TCG)"
kill -0 "$grab_pid" || fail "vp-evdev-grab ended: $(cat "$R/grab.err")"
[ $rc = 0 ] || fail "webrtc_input.py: exit $rc"
case $MODE in
check)
	# the log lines are themselves what is checked: a view-only viewer
	# said so once, a flood's refusals were logged, not per message, the
	# second controller's refusal once
	grep -q "view only (its token does not control)" "$R/vplaned.log" ||
		fail "the view-only viewer was not logged as such"
	n=$(grep -c "input refused:" "$R/vplaned.log" || true)
	[ "$n" -ge 1 ] && [ "$n" -le 30 ] || fail "$n 'input refused' lines for one flood"
	n=$(grep -c "input not taken: another origin controls" "$R/vplaned.log" || true)
	[ "$n" = 1 ] || fail "$n 'another origin controls' lines for the second controller, not 1"
	;;
takeover)
	stop_vplaned
	exit 0
	;;
esac
stop_vplaned

# The baseline, same run, same devices, same reader: a direct
# VPLANE_DISPLAY_INPUT write (vp-input-send takes the ack role vplaned
# held) of the key the latency step pressed, as many times, 20 ms apart;
# each press's time is taken just before its ioctl
n=$(sed -n 's/.* over \([0-9]*\) presses$/\1/p' "$R/input.txt")
webrtc_p50=$(sed -n 's/.*Chromium dispatch to evdev.* p50 \([0-9.]*\) ms .*/\1/p' "$R/input.txt")
[ -n "$n" ] && [ -n "$webrtc_p50" ] || fail "no latency figure from webrtc_input.py"
from=$(wc -l <"$R/grab.log")
for _ in $(seq "$n"); do
	echo "kbd 1 38 1" && sleep 0.02 && echo "kbd 1 38 0" && sleep 0.02
done | timeout $((120 * SLOW)) "$SEND" --uuid "$uuid" >"$R/send.txt" 2>"$R/send.err" ||
	fail "vp-input-send: $(cat "$R/send.err")"
! grep -q '^err' "$R/send.txt" || fail "vp-input-send: $(grep -m1 '^err' "$R/send.txt")"
# the presses' times (every other "ok", seconds) in microseconds
awk '$1 == "ok" && ++k % 2 == 1 { printf "%d\n", $2 * 1000000 }' "$R/send.txt" >"$R/inject.txt"
wait_for "the injected presses did not all arrive" 30 \
	sh -c "[ \$(tail -n +$((from + 1)) '$R/grab.log' | grep -c '^[0-9]* kbd 1 38 0\$') -ge $n ]"
tail -n +$((from + 1)) "$R/grab.log" | awk '$2 == "kbd" && $3 == 1 && $4 == 38 && $5 == 1 { print $1 }' |
	paste "$R/inject.txt" - >"$R/inject-pairs.txt"
"$PY" - "$R/inject-pairs.txt" "$webrtc_p50" <<'PYEOF' || fail "baseline"
import sys
lat = sorted((int(b) - int(a)) / 1000.0 for a, b in
             (l.split() for l in open(sys.argv[1]) if len(l.split()) == 2))
if not lat:
    sys.exit('no baseline presses paired')
p50 = lat[len(lat) // 2]
p99 = lat[min(len(lat) - 1, len(lat) * 99 // 100)]
print('# figure webrtc input baseline (VPLANE_DISPLAY_INPUT write to evdev, '
      'TCG): p50 %.2f ms p99 %.2f ms over %d presses; Chromium/direct p50 '
      'ratio %.0f' % (p50, p99, len(lat), float(sys.argv[2]) / max(p50, 0.001)))
PYEOF
kill -TERM "$grab_pid"; wait "$grab_pid" || true
