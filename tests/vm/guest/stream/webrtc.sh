#!/bin/bash
# vplaned's WebRTC transport in the VM (issue 7): the simulator draws,
# vplaned (headless, --webrtc) encodes each flip with the software
# encoder and serves the viewer page; headless Chromium opens
# http://127.0.0.1:PORT/?token=TOKEN#<vgpu>/0 over the guest's loopback
# (DTLS-SRTP, host candidates on 127.0.0.1), its <video> must play, and
# the frame counter read from its screenshot must be one the guest drew.
# Wrong or no token: 401 for the page and the WebSocket, no media; a
# token file others can read is refused. Figures as "# figure" lines.
set -e
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
R=$VPLANE_RESULTS/stream-webrtc
mkdir -p "$R"
. "$VPLANE_SRC/tests/vm/guest/stream/webrtc_lib.sh"
webrtc_need curl ffmpeg
"$PY" -c 'import numpy' 2>/dev/null || { echo "python3-numpy not installed"; exit 77; }
TOKEN=$(rnd_token webrtc-test)
printf '# the viewers of the test\n%s\n' "$TOKEN" >"$R/token"

# stop_sim: the simulator's summary, no flip-done timeouts
stop_sim() {
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	cat "$R/sim.log"
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest saw flip-done timeouts"
}

# status ws|page TOKEN: the HTTP status of a request (a WebSocket
# upgrade for ws); 101 means the upgrade was accepted
status() {
	local args=()
	[ "$1" != ws ] || args=(-H 'Connection: Upgrade' -H 'Upgrade: websocket'
		-H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dnBsYW5lLXdlYnJ0Yy10ZQ==')
	local path=/
	[ "$1" != ws ] || path=/ws/$uuid/0
	curl -s -o /dev/null --max-time 5 -w '%{http_code}' "${args[@]}" \
		"http://127.0.0.1:$PORT$path${2:+?token=$2}" || true
}

make_vgpu
webrtc_start "$R/token"

# the token guards the page and the WebSocket
for t in "" wrong-token-0123456789abcdef; do
	s=$(status page "$t"); [ "$s" = 401 ] || fail "page with token '$t': HTTP $s, not 401"
	s=$(status ws "$t"); [ "$s" = 401 ] || fail "WebSocket with token '$t': HTTP $s, not 401"
done
s=$(status page "$TOKEN"); [ "$s" = 200 ] || fail "page with the token: HTTP $s"
s=$(status ws "$TOKEN"); [ "$s" = 101 ] || fail "WebSocket with the token: HTTP $s, not 101"
echo "# no or wrong token: page 401, WebSocket 401; the token: page 200, WebSocket 101"
# Viewers that came, gone since or not: stream_webrtc_viewers (a viewer
# made and gone between two readings of stream_viewers, the number now,
# would be missed)
sleep 2 # (the curl upgrade above: its viewer made, gone at once)
viewers_before=$(head_stat "$uuid/0" stream_webrtc_viewers)
[ -n "$viewers_before" ] || fail "no stream_webrtc_viewers: $(ctl stats "$uuid/0" 2>&1)"

# webrtc_view.py gives Chromium's start up to 300 s x SLOW (minutes under
# TCG) before its own wait for the video, then up to 2 min for the
# screenshot; the timeouts below only catch a hang past all of these.
# A browser with a wrong token: no page, no media, no viewer
rc=0
timeout $((500 * SLOW)) "$PY" "$HERE/webrtc_view.py" "$(page wrong-token-0123456789abcdef)" \
	"$R/wrong.png" $((20 * SLOW)) >"$R/view-wrong.txt" 2>&1 || rc=$?
cat "$R/view-wrong.txt"
[ $rc = 1 ] || fail "Chromium with a wrong token: exit $rc (1: no video): $(tail -5 "$R/view-wrong.txt")"
grep -q '^video 0x0' "$R/view-wrong.txt" || fail "video with a wrong token"
viewers=$(head_stat "$uuid/0" stream_webrtc_viewers)
[ "$viewers" = "$viewers_before" ] ||
	fail "a wrong token made a WebRTC viewer ($viewers_before viewers before, '$viewers' after)"

# the real viewer: the video plays and its screenshot is a guest frame
t0=$(date +%s)
rc=0
timeout $((780 * SLOW)) "$PY" "$HERE/webrtc_view.py" "$(page "$TOKEN")" "$R/head0.png" \
	$((300 * SLOW)) --frames $W $H "$R" >"$R/view.txt" 2>&1 || rc=$?
t1=$(date +%s)
cat "$R/view.txt"
[ $rc = 0 ] || fail "Chromium did not show the head (exit $rc)"
counter=$(sed -n 's/^counter \([0-9]*\) .*/\1/p' "$R/view.txt")
p=$(sed -n 's/.* psnr \([0-9.]*\)$/\1/p' "$R/view.txt")
stop_sim
drawn=$(sed -n 's/.*vplane-sim: \([0-9]*\) frames.*/\1/p' "$R/sim.log" | head -n 1)
ready=$(sed -n 's/^chromium ready after \([0-9]*\) s$/\1/p' "$R/view.txt")
echo "# figure webrtc: Chromium played the head after $((t1 - t0)) s (TCG; its own start ${ready:-?} s); screenshot frame $counter of ${drawn:-?} drawn, PSNR $p dB vs the guest's frame"
[ -n "$counter" ] && [ "$counter" -gt 0 ] || fail "no frame counter in the screenshot"
[ -z "$drawn" ] || [ "$counter" -le "$drawn" ] || fail "counter $counter beyond the $drawn frames drawn"
# lossy 4:2:0 video through the browser's own colour conversion (34 dB
# on the host): a wrong or garbled frame is far below this
awk -v p="$p" 'BEGIN { exit !(p >= 25) }' || fail "screenshot differs from the guest's frame $counter: $p dB"
# ICE ends in "connected" or, for a controlled agent, may go from
# "checking" straight to "completed": either is a working media path,
# counted in stream_webrtc_connected
save_stats "$uuid/0" "$R/stats-end.txt"
[ "$(stat_in stream_webrtc_connected "$R/stats-end.txt")" -ge 1 ] 2>/dev/null ||
	fail "no viewer's ICE connection came up"
stop_vplaned
# (torn down while vplaned exits: no control socket left to ask, so
# its log line is read)
grep -q "WebRTC /$uuid/0#.*: viewer gone" "$R/vplaned.log" || fail "the viewer was not torn down"

# a token file others can read is refused, saying why
chmod 644 "$R/token"
rc=0
timeout 60 "$VPLANED" --backend headless --webrtc --rtsp-no-auth --webrtc-port $PORT \
	--webrtc-token-file "$R/token" --socket vp-refuse >"$R/refuse.log" 2>&1 || rc=$?
[ $rc != 0 ] || fail "vplaned accepted a mode 0644 token file"
grep -q 'mode 0644.*chmod 600' "$R/refuse.log" || fail "unclear error: $(cat "$R/refuse.log")"
echo "# mode 0644: $(grep -o 'WebRTC token.*' "$R/refuse.log")"
