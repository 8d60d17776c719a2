#!/bin/bash
# vplaned streaming in the VM (issue 7):
#   stream.sh rtsp|modes|auth|access|clients|tls|record|record-ctl|record-fail|names
# The simulator draws, vplaned (headless, --stream) encodes each flip
# with the software encoder and serves RTSP; real clients (ffmpeg, a raw
# RTSP probe) pull it. Figures go out as "# figure" lines.
set -e
test=$1
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
R=$VPLANE_RESULTS/stream-$test  # results under this group's name
mkdir -p "$R"
for t in ffmpeg python3; do
	command -v $t >/dev/null || { echo "$t not installed"; exit 77; }
done
gst-inspect-1.0 x264enc >/dev/null 2>&1 || { echo "x264enc not installed (gstreamer1.0-plugins-ugly)"; exit 77; }
HERE=$VPLANE_SRC/tests/vm/guest/stream
# Debian's python3 (python3-numpy), not whatever python3 comes first in PATH
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "python3-numpy not installed"; exit 77; }
W=320 H=240
PORT=8554
SLOW=${VPLANE_SLOWDOWN:-1}
# Under TCG the encoder's converter takes tens of ms to read a frame,
# and the guest's flip-done waits for it: a hold bound well above that
# (vplaned --stream-ack-hold-ms) and vplane.ko's ack timeout above the
# bound, or the driver would complete flips itself while the encoder
# still reads (the product defaults, 50 and 100 ms, suit a real host).
HOLD_MS=$((1000 * SLOW)) ACK_TIMEOUT_MS=$((2000 * SLOW))
CREDS=$R/creds
printf '# viewers of the test\nalice:s3cret-pw\n' >"$CREDS"
chmod 600 "$CREDS"

# url [USER:PASSWORD@]: the head's RTSP URL (rtsps:// with SCHEME=rtsps)
url() { echo "${SCHEME:-rtsp}://${1}127.0.0.1:$PORT/$uuid/0"; }

# start_streaming: vGPU, vplaned streaming it, the simulator flipping
# The stream is 4:4:4 (--stream-chroma 444): the check compares every
# pixel with the guest's, and 4:2:0 cannot carry the pattern's box edges
# at odd pixels (~35 dB with no coding loss at all).
# start_streaming [VPLANED-ARGS...] (VGPU_TYPE: the vGPU's type, SIM_ARGS:
# more simulator options)
start_streaming() {
	[ -n "${uuid:-}" ] || make_vgpu ${VGPU_TYPE:-}
	echo $ACK_TIMEOUT_MS >/sys/module/vplane/parameters/ack_timeout_ms
	start_vplaned --backend headless --vgpu "$uuid" --stream \
		--rtsp-credentials "$CREDS" --rtsp-port $PORT \
		--stream-ack-hold-ms $HOLD_MS --stream-chroma 444 \
		${VPLANED_DEBUG:+--verbose} "$@"
	wait_streamed "$uuid/0" 60
	"$SIM" --uuid "$uuid" --mode ${W}x$H --rate 10 --no-cursor --quiet \
		--flip-timeout $((ACK_TIMEOUT_MS + 1000)) ${SIM_ARGS:-} >"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_direct "$uuid/0" 30
}

# stop_sim: the simulator's summary, no flip-done timeouts
stop_sim() {
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	cat "$R/sim.log"
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest saw flip-done timeouts"
}

# pull N [LOGNAME]: ffmpeg decodes N frames of the stream to raw RGB on
# stdout (TCP interleaved: one socket, no UDP ports to leak). No
# probing (the SDP describes the stream; ffmpeg would otherwise buffer
# 5 s first), one decoding thread (frame threads add a frame of delay
# each), every decoded frame once (rawvideo's default duplicates
# frames to a constant rate), each written out at once.
pull() {
	local probe=(-probesize 200000 -analyzeduration 1000000)
	# PULL_FAST=1: ffmpeg's quickest start, for the latency figure; the
	# other tests probe as a normal viewer does.
	[ -z "${PULL_FAST:-}" ] ||
		probe=(-fflags nobuffer -flags low_delay -probesize 32 -analyzeduration 0)
	timeout $((120 * SLOW)) ffmpeg -nostdin -hide_banner -loglevel ${FFMPEG_LOGLEVEL:-error} \
		-rtsp_transport tcp "${probe[@]}" -threads 1 \
		-i "$(url alice:s3cret-pw@)" -frames:v "$1" -fps_mode passthrough \
		${PULL_VF:+-vf "$PULL_VF"} \
		-flush_packets 1 -f rawvideo -pix_fmt rgb24 - 2>>"$R/${2:-ffmpeg}.log"
}

vp_fds() { ls "/proc/$vp_pid/fd" | wc -l; }
# (the kernel separates VmRSS: from the figure with a tab)
vp_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$vp_pid/status"; }
# vp_rss_settled: the lowest of five readings a second apart. A session
# just closed is still being torn down on vplaned's RTSP thread for a
# moment (under TCG, seconds): memory it frees then is not a leak, and a
# leak stays in the lowest reading too.
vp_rss_settled() {
	local i r min=
	for i in 1 2 3 4 5; do
		r=$(vp_rss_kb)
		[ -n "$min" ] && [ "$min" -le "$r" ] || min=$r
		[ $i = 5 ] || sleep 1
	done
	echo "$min"
}

case $test in
rtsp)
	# N decoded frames, each equal to the guest's frame with the same
	# counter at >= 35 dB; drops and latency as figures
	start_streaming
	N=30
	PULL_FAST=1 pull $N | "$PY" "$HERE/stream_check.py" $W $H $N 0 "$R" >"$R/check.txt" ||
		{ cat "$R/check.txt" "$R/ffmpeg.log"; fail "stream check"; }
	cat "$R/check.txt"
	# vplanectl names the encoder and counts the head's stream
	ctl stats "$uuid/0" >"$R/stats.txt" 2>&1 || fail "vplanectl stats: $(cat "$R/stats.txt")"
	sed 's/^/# /' "$R/stats.txt"
	grep -q ' encoder=x264enc(software)' "$R/stats.txt" ||
		fail "vplanectl stats does not name x264enc (software)"
	enc=$(sed -n 's/.* stream_frames_encoded=\([0-9]*\).*/\1/p' "$R/stats.txt")
	[ "${enc:-0}" -ge $N ] || fail "stream_frames_encoded '${enc}' < $N frames decoded"
	stop_sim
	# the guest is gone: its counters and the stream's are final once
	# the hold bound of its last frame has passed
	sleep $((HOLD_MS / 1000 + 1))
	save_stats "$uuid/0" "$R/stats-end.txt"
	stop_vplaned
	late=$(stat_in stream_late_acks "$R/stats-end.txt")
	acks=$(stat_in vgpu_acks "$R/stats-end.txt") timeouts=$(stat_in vgpu_ack_timeouts "$R/stats-end.txt")
	flips=$(stat_in vgpu_flips "$R/stats-end.txt")
	# the hold figure is in vplaned's log only (a figure, not a check)
	held=$(sed -n 's/.*stream \/[^:]*: \(.*acks held.*\)/\1/p' "$R/vplaned.log" | tail -n 1)
	echo "# figure stream: flips $flips acks $acks driver ack timeouts $timeouts; $held; late acks (bound fired) ${late:-?}"
	grep -q ' encoder=x264enc(software)' "$R/stats-end.txt" ||
		fail "the software encoder was not chosen"
	[ "$timeouts" = 0 ] || fail "$timeouts driver ack timeouts"
	[ "${late:-x}" = 0 ] || fail "${late:-?} acks sent while the encoder still read the frame"
	;;
modes)
	# A guest sets a mode x264 cannot take as such at 4:2:0 (321x241:
	# odd), then goes back. Its stream keeps flowing (padded to 322x242),
	# and the other head's viewer is never delayed by it: its DESCRIBE,
	# sent right after the odd head's first one, is answered as promptly
	# as ever. 4:2:0, the default (x264 takes odd sizes at 4:4:4): the
	# frames are counted and sized, not compared pixel by pixel (4:2:0
	# smears the pattern's edges below the check's 35 dB).
	make_vgpu
	ua=$uuid
	ub=$(new_vgpu) || fail "cannot create a second vGPU"
	uuids=$ub
	echo $ACK_TIMEOUT_MS >/sys/module/vplane/parameters/ack_timeout_ms
	start_vplaned --backend headless --vgpu "$ua" --vgpu "$ub" --stream \
		--rtsp-credentials "$CREDS" --rtsp-port $PORT \
		--stream-ack-hold-ms $HOLD_MS
	wait_streamed "$ua/0" 60
	wait_streamed "$ub/0" 60
	sim() { # sim NAME UUID ARGS...: a guest flipping at 10 Hz
		local name=$1 u=$2
		shift 2
		"$SIM" --uuid "$u" --rate 10 --no-cursor \
			--flip-timeout $((ACK_TIMEOUT_MS + 1000)) "$@" >"$R/sim-$name.log" 2>&1 &
	}
	sim A "$ua" --mode ${W}x$H --mode-switch 10:321x241
	sim_pid=$!
	sim B "$ub" --mode ${W}x$H --quiet
	simb_pid=$!
	extra_pids="$extra_pids $simb_pid" # cleanup: the vGPU is removable
	for _ in $(seq $((150 * SLOW))); do
		grep -q '^mode 321x241' "$R/sim-A.log" && break
		sleep 0.2
	done
	grep -q '^mode 321x241' "$R/sim-A.log" || fail "guest A did not switch to 321x241: $(cat "$R/sim-A.log")"
	wait_direct "$ub/0" 60
	sleep 1 # the odd mode on A's output
	# the first viewer of the odd head, then at once one of the other
	"$PY" "$HERE/describe_beside.py" "$(uuid=$ua url)" "$(uuid=$ub url)" \
		alice s3cret-pw >"$R/beside.txt" 2>&1 || fail "describe_beside: $(cat "$R/beside.txt")"
	tb=$(sed -n 's/^second status 200 ms \([0-9]*\)$/\1/p' "$R/beside.txt")
	echo "# figure stream: DESCRIBE of head B 0.2 s after head A's first (A at 321x241): $(echo $(cat "$R/beside.txt"))"
	[ -n "$tb" ] || fail "DESCRIBE of head B: $(cat "$R/beside.txt")"
	# gst-rtsp-server's one client thread held B's DESCRIBE until A's
	# media gave up preparing (20 s); B's own first frame takes seconds
	# under a loaded TCG host, never that long
	[ "$tb" -lt $((15000 * SLOW)) ] || fail "head B's DESCRIBE took $tb ms beside head A's"
	grep -q '^first status 200 ' "$R/beside.txt" || fail "DESCRIBE of the 321x241 head: $(cat "$R/beside.txt")"
	# frames of the odd mode: decoded, padded to 322x242
	N=10
	uuid=$ua PULL_FAST=1 pull $N ffmpeg-odd >"$R/odd.rgb" ||
		{ cat "$R/ffmpeg-odd.log"; fail "no $N frames at 321x241"; }
	bytes=$(stat -c %s "$R/odd.rgb")
	echo "# figure stream: 321x241: $N frames decoded, $bytes bytes (322x242 RGB: $((N * 322 * 242 * 3)))"
	[ "$bytes" = $((N * 322 * 242 * 3)) ] || fail "$bytes bytes for $N frames of 322x242"
	rm -f "$R/odd.rgb"
	# the encoder took the odd mode's frames as they are (BGRx: XR24)
	in=$(encoder_input "$ua/0")
	[ "$in" = 321x241:XR24 ] || fail "no 321x241 frames reached the encoder (it takes '$in')"
	# back: the guest sets 320x240 again (a new driver: the simulator
	# anew) and the same head streams it, checked pixel by pixel
	kill -TERM "$sim_pid"
	wait "$sim_pid" || true
	sim A2 "$ua" --mode ${W}x$H
	sim_pid=$!
	# its first report: a second of flips at the new mode
	for _ in $(seq $((300 * SLOW))); do
		grep -q '^frame ' "$R/sim-A2.log" && break
		sleep 0.2
	done
	grep -q '^frame ' "$R/sim-A2.log" || fail "guest A flips no frame at ${W}x$H: $(cat "$R/sim-A2.log")"
	uuid=$ua PULL_FAST=1 pull $N ffmpeg-back >"$R/back.rgb" ||
		{ cat "$R/ffmpeg-back.log"; fail "no $N frames back at ${W}x$H"; }
	bytes=$(stat -c %s "$R/back.rgb")
	echo "# figure stream: back at ${W}x$H: $N frames decoded, $bytes bytes"
	[ "$bytes" = $((N * W * H * 3)) ] || fail "$bytes bytes for $N frames of ${W}x$H"
	rm -f "$R/back.rgb"
	# both guests' flips were acked in time throughout
	kill -TERM "$simb_pid" "$sim_pid"
	wait "$simb_pid" || fail "simulator B: $(cat "$R/sim-B.log")"
	wait "$sim_pid" || fail "simulator A: $(cat "$R/sim-A2.log")"
	sim_pid=
	tail -n 1 "$R/sim-B.log" "$R/sim-A2.log" | sed 's/^/# /'
	grep -q ' 0 timeouts' "$R/sim-B.log" || fail "guest B saw flip-done timeouts"
	grep -q ' 0 timeouts' "$R/sim-A2.log" || fail "guest A saw flip-done timeouts"
	save_stats "$ua/0" "$R/stats-A.txt"
	save_stats "$ub/0" "$R/stats-B.txt"
	stop_vplaned
	;;
auth)
	# no or wrong credentials: 401 and no media description; a
	# credentials file others can read is refused with a clear error
	start_streaming
	out=$("$PY" "$HERE/rtsp_probe.py" "$(url)")
	echo "# no credentials: $(echo $out)"
	echo "$out" | grep -q '^status 401$' || fail "no credentials: $out"
	echo "$out" | grep -q '^challenge digest$' || fail "no digest challenge: $out"
	echo "$out" | grep -q '^sdp bytes 0$' || fail "media described without auth: $out"
	out=$("$PY" "$HERE/rtsp_probe.py" "$(url)" alice wrong-pw)
	echo "# wrong password: $(echo $out)"
	echo "$out" | grep -q '^status 401$' || fail "wrong password: $out"
	echo "$out" | grep -q '^sdp bytes 0$' || fail "media described to a wrong password: $out"
	out=$("$PY" "$HERE/rtsp_probe.py" "$(url)" alice s3cret-pw)
	echo "# right password: $(echo $out)"
	echo "$out" | grep -q '^status 200$' || fail "right password refused: $out"
	echo "$out" | grep -qv '^sdp bytes 0$' || fail "no SDP for the right password"
	# a real client: ffmpeg with a wrong password gets no frame
	n=$(timeout 60 ffmpeg -nostdin -hide_banner -rtsp_transport tcp \
		-i "$(url alice:wrong-pw@)" -frames:v 1 -f rawvideo -pix_fmt rgb24 - \
		2>"$R/ffmpeg-wrong.log" | wc -c) || true
	grep -q '401' "$R/ffmpeg-wrong.log" || fail "ffmpeg saw no 401: $(tail -3 "$R/ffmpeg-wrong.log")"
	[ "$n" = 0 ] || fail "ffmpeg decoded $n bytes with a wrong password"
	echo "# ffmpeg, wrong password: $(grep -m1 401 "$R/ffmpeg-wrong.log"), 0 bytes decoded"
	[ "$(pull 1 | wc -c)" = $((W * H * 3)) ] || fail "the right password got no frame"
	stop_sim
	stop_vplaned
	# the server refuses what it must refuse, saying why
	chmod 644 "$CREDS"
	rc=0
	"$VPLANED" --backend headless --stream --rtsp-credentials "$CREDS" \
		--rtsp-port $PORT --socket vp-refuse >"$R/refuse.log" 2>&1 || rc=$?
	chmod 600 "$CREDS"
	[ $rc != 0 ] || fail "vplaned accepted a mode 0644 credentials file"
	grep -q 'mode 0644.*chmod 600' "$R/refuse.log" || fail "unclear error: $(cat "$R/refuse.log")"
	echo "# mode 0644: $(grep -o 'RTSP credentials.*' "$R/refuse.log")"
	rc=0
	"$VPLANED" --backend headless --stream --rtsp-port $PORT \
		--socket vp-refuse >"$R/refuse2.log" 2>&1 || rc=$?
	[ $rc != 0 ] || fail "vplaned streamed without credentials or --rtsp-no-auth"
	grep -q 'needs a credentials file' "$R/refuse2.log" || fail "unclear error: $(cat "$R/refuse2.log")"
	;;
access)
	# Per-vGPU viewers (issue 13): two vGPUs, A (the guest draws) and
	# B; alice may watch A by name, bob (an htdigest line, no password
	# stored) the vGPUs matching A's first UUID group, carol B only.
	# A viewer's answer for a vGPU it may not watch is the answer for a
	# vGPU that does not exist (status, headers, body, time); wrong
	# guesses are logged with the address and slowed down. The same for
	# WebRTC tokens. Answers that prepare a media come last.
	make_vgpu
	A=$uuid
	B=$(new_vgpu) || fail "cannot create a second vGPU"
	uuids="$uuids $B"
	bob_ha1=$(printf 'bob:vplane:bob-pw-2' | md5sum | cut -d' ' -f1)
	printf '# per VM\n%s alice:s3cret-pw\n%s* bob:vplane:%s\n%s carol:carol-pw\n' \
		"$A" "${A%%-*}" "$bob_ha1" "$B" >"$CREDS"
	# WebRTC: a token for A, one for B (browsers take 4:2:0)
	tok_a=aaaaaaaaaaaaaaaa0123 tok_b=bbbbbbbbbbbbbbbb0123
	printf '%s %s\n%s %s\n' "$A" $tok_a "$B" $tok_b >"$R/tokens"
	chmod 600 "$R/tokens"
	start_streaming --vgpu "$B" --stream-chroma 420 --webrtc --webrtc-port 8080 \
		--webrtc-token-file "$R/tokens"
	wait_streamed "$B/0" 60
	missing=$(cat /proc/sys/kernel/random/uuid)
	u() { echo "rtsp://127.0.0.1:$PORT/$1"; }
	# asks <<LINES: "NAME URL [USER PASSWORD]" a line, each answer into
	# $R/NAME (no "ms" line), its time into $R/NAME.ms (one process)
	asks() {
		timeout $((120 * SLOW)) "$PY" "$HERE/rtsp_access.py" batch "$R" >"$R/batch.out" 2>&1 ||
			fail "rtsp_access.py batch: $(cat "$R/batch.out")"
	}
	same() { cmp -s "$R/$1" "$R/$2" || fail "$3: $(cat "$R/$1" | tr '\n' ' ') / $(cat "$R/$2" | tr '\n' ' ')"; }

	asks <<-EOF
	forbidden $(u "$B/0") alice s3cret-pw
	absent $(u "$missing/0") alice s3cret-pw
	nohead $(u "$A/7") alice s3cret-pw
	carol_a $(u "$A/0") carol carol-pw
	bob_b $(u "$B/0") bob bob-pw-2
	anon_b $(u "$B/0")
	anon_m $(u "$missing/0")
	wrong_b $(u "$B/0") alice wrong-pw
	wrong_m $(u "$missing/0") alice wrong-pw
	EOF
	echo "# alice, B's mount: $(tr '\n' ' ' <"$R/forbidden")"
	echo "# alice, a missing mount: $(tr '\n' ' ' <"$R/absent")"
	grep -q '^status 404$' "$R/forbidden" || fail "alice, B's mount: not 404"
	grep -q '^sdp bytes 0$' "$R/forbidden" || fail "B described to alice"
	same forbidden absent "B's mount and a missing one answer differently"
	same forbidden nohead "B's mount and a missing head of A answer differently"
	t_forbidden=$(cat "$R/forbidden.ms") t_absent=$(cat "$R/absent.ms")
	echo "# figure access: alice's DESCRIBE of B took $t_forbidden ms, of a missing mount $t_absent ms"
	awk -v a="$t_forbidden" -v b="$t_absent" -v s="$SLOW" \
		'BEGIN { exit !(a < 2000 * s && b < 2000 * s) }' || fail "slow answers: $t_forbidden / $t_absent ms"
	same carol_a absent "carol (B only), A's mount: not the missing mount's answer"
	same bob_b absent "bob (A's pattern), B's mount: not the missing mount's answer"
	# no credentials, and a wrong password: alike for both as well
	grep -q '^status 401$' "$R/anon_b" || fail "no credentials, B: $(cat "$R/anon_b")"
	same anon_b anon_m "without credentials B and a missing mount differ"
	grep -q '^status 401$' "$R/wrong_b" || fail "wrong password, B: $(cat "$R/wrong_b")"
	same wrong_b wrong_m "with a wrong password B and a missing mount differ"
	# the log line is what is tested: who failed, for the operator
	grep -q 'failed authentication from 127.0.0.1' "$R/vplaned.log" ||
		fail "no 'failed authentication from ADDRESS' in the log"

	# WebRTC: B's head with A's token closes as a missing head does
	ws() {
		local n=$1; shift
		timeout $((90 * SLOW)) "$PY" "$HERE/ws_probe.py" 127.0.0.1:8080 "$@" >"$R/$n" 2>&1 ||
			fail "ws_probe.py $*: $(cat "$R/$n")"
	}
	ws ws_b "$B/0" $tok_a
	ws ws_m "$missing/0" $tok_a
	echo "# WebRTC, A's token: B's head: $(tr '\n' ' ' <"$R/ws_b"); a missing head: $(tr '\n' ' ' <"$R/ws_m")"
	grep -q '^close 4404' "$R/ws_b" || fail "A's token, B's head: $(cat "$R/ws_b")"
	same ws_b ws_m "A's token: B's head and a missing head differ"
	ws ws_ba "$A/0" $tok_b
	same ws_ba ws_m "B's token, A's head: not the missing head's answer"

	# 3 s of wrong guesses as fast as the server answers (the review's
	# loop got 4,334 answers): a few a second at most, the right
	# password refused unchecked while the address is throttled, and
	# taken again after a quiet while
	timeout 60 "$PY" "$HERE/rtsp_access.py" guess "$(u "$A/0")" alice wrong-pw 3 s3cret-pw >"$R/guess.out" 2>&1 ||
		fail "guessing loop: $(cat "$R/guess.out")"
	guesses=$(sed -n 's/^guesses //p' "$R/guess.out")
	echo "# figure access: $guesses wrong digests answered in 3 s on one connection ($(sed -n 's/^statuses //p' "$R/guess.out"); slowest $(sed -n 's/^slowest-ms //p' "$R/guess.out") ms)"
	[ "${guesses:-0}" -ge 3 ] || fail "the guessing loop got no answers: $(cat "$R/guess.out")"
	[ "$guesses" -le 20 ] || fail "$guesses guesses answered in 3 s: not slowed down"
	grep -q '^right-while-throttled 401$' "$R/guess.out" ||
		fail "the right password was checked during the throttle: $(cat "$R/guess.out")"
	# (the operator's line about the guesses, shown: what auth tests)
	grep 'failed authentication from' "$R/vplaned.log" | tail -n 1 | sed 's/^/# /'
	sleep 3

	# last, what prepares A's media: alice and bob (htdigest, pattern)
	# are described A; A's token starts WebRTC signalling for A
	asks <<-EOF
	alice_a $(u "$A/0") alice s3cret-pw
	bob_a $(u "$A/0") bob bob-pw-2
	EOF
	grep -q '^status 200$' "$R/alice_a" || fail "alice refused her own vGPU: $(cat "$R/alice_a")"
	grep -q '^sdp bytes 0$' "$R/alice_a" && fail "no SDP for alice's own vGPU"
	# right after alice's connection ends, A's shared media may still be
	# unpreparing: gst-rtsp-server then answers 503 (Retry-After: 1);
	# a client that retries as told gets it (seen once, idle machine)
	for _ in 1 2 3 4 5; do
		grep -q '^status 503$' "$R/bob_a" || break
		echo "# bob's DESCRIBE of A: 503, retried a second later"
		sleep 1
		asks <<-EOF
		bob_a $(u "$A/0") bob bob-pw-2
		EOF
	done
	grep -q '^status 200$' "$R/bob_a" || fail "bob (htdigest, pattern) refused A: $(cat "$R/bob_a")"
	# the head's first WebRTC viewer (vplaned's first peer) gets its
	# offer: it once waited past its 60 s for the DTLS key vplaned made
	# inside that offer (docs/streaming.md)
	ws ws_a "$A/0" $tok_a --offer $((60 * SLOW))
	grep -q '^offer after' "$R/ws_a" || fail "A's token, A's head: no offer for the first viewer: $(cat "$R/ws_a")"
	echo "# figure access: the first WebRTC viewer's $(tail -n 1 "$R/ws_a") (TCG)"
	# a viewer that came (and went) for A's head: counted on A's head
	v=$(head_stat "$A/0" stream_webrtc_viewers)
	[ "${v:-0}" -ge 1 ] || fail "A's token: no viewer for A's head (stream_webrtc_viewers '${v}')"
	echo "# alice and bob described A; A's token: a viewer of A's head ($(tail -n 1 "$R/ws_a"))"
	stop_sim
	stop_vplaned
	;;
clients)
	# 20 connect/disconnect cycles and a client killed mid-stream:
	# vplaned's fds and memory return to their baseline, and another
	# client keeps streaming throughout
	start_streaming
	pull 3 warmup >/dev/null || fail "warm-up client got no frames"
	sleep 2
	fd0=$(vp_fds) rss0=$(vp_rss_settled)
	for i in $(seq 20); do
		b=$(pull 2 cycle$i | wc -c)
		# (a client killed by pull's timeout says "Output file #0
		# does not contain any stream": it hung, it was not refused)
		[ "$b" = $((W * H * 3 * 2)) ] ||
			fail "cycle $i: $b bytes: $(tail -n 3 "$R/cycle$i.log")"
		[ "$i" != 10 ] || { sleep 2; rss_mid=$(vp_rss_settled); }
	done
	sleep 2
	fd1=$(vp_fds) rss1=$(vp_rss_settled)
	echo "# figure clients: 20 cycles: fds $fd0 -> $fd1, RSS $rss0 -> $rss_mid (10) -> $rss1 kB (20)"
	# a long client A; B joins and is killed mid-stream (A's count
	# from nothing: a file left by an earlier run would pass for A's)
	rm -f "$R/countA"
	pull 100000 longA | "$PY" -c '
import os, sys, time
n = 0
size = int(sys.argv[1])
while sys.stdin.buffer.read(size):
    n += 1
    # whole or not at all: the shell reads it meanwhile
    with open(sys.argv[2] + ".new", "w") as f:
        f.write("%d %d\n" % (n, time.monotonic()))
    os.replace(sys.argv[2] + ".new", sys.argv[2])
' $((W * H * 3)) "$R/countA" &
a_pid=$!
	extra_pids=$a_pid
	for _ in $(seq 60); do [ -s "$R/countA" ] && break; sleep 1; done
	[ -s "$R/countA" ] || fail "client A got no frame"
	ffmpeg -nostdin -loglevel error -rtsp_transport tcp -i "$(url alice:s3cret-pw@)" \
		-f null - 2>"$R/ffmpegB.log" &
	b_pid=$!
	sleep 4
	kill -0 $b_pid 2>/dev/null || fail "client B ended early: $(cat "$R/ffmpegB.log")"
	kill -KILL $b_pid
	wait $b_pid 2>/dev/null || true
	# A goes on: its next frames arrive (a stalled shared stream never
	# sends one; a TCG host loaded by other VMs may take seconds)
	a1=$(cut -d' ' -f1 "$R/countA")
	t0=$(date +%s)
	for _ in $(seq $((60 * SLOW))); do
		a2=$(cut -d' ' -f1 "$R/countA")
		[ "$a2" -ge $((a1 + 3)) ] && break
		sleep 1
	done
	echo "# figure clients: client B killed mid-stream; client A frames $a1 -> $a2 in the $(($(date +%s) - t0)) s after"
	[ "$a2" -ge $((a1 + 3)) ] || fail "client A stopped when B was killed ($a1 -> $a2 frames in $((60 * SLOW)) s)"
	pkill -TERM -P $a_pid ffmpeg 2>/dev/null || true
	kill $a_pid 2>/dev/null || true
	wait $a_pid 2>/dev/null || true
	extra_pids=
	sleep 3
	fd2=$(vp_fds) rss2=$(vp_rss_settled)
	echo "# figure clients: after A and B: fds $fd2, RSS $rss2 kB (baseline $fd0, $rss0 kB)"
	stop_sim
	stop_vplaned
	[ "$fd1" -le "$fd0" ] || fail "fds grew over 20 cycles: $fd0 -> $fd1"
	[ "$fd2" -le "$fd0" ] || fail "fds grew after a killed client: $fd0 -> $fd2"
	# A leak grows with every cycle; the allocator's arenas for the
	# RTSP and streaming threads grow once and level off. So: little
	# growth over the last ten cycles, and a bounded total.
	# (a rise that is gone again by the end, after A and B, was the
	# allocator's: a leak stays)
	[ "$rss1" -le $((rss_mid + 1536)) ] || [ "$rss2" -le $((rss_mid + 1536)) ] ||
		fail "RSS still growing: $rss_mid kB after 10 cycles, $rss1 kB after 20, $rss2 kB at the end (a leak)"
	[ "$rss1" -le $((rss0 + 8192)) ] || fail "RSS grew over 20 cycles: $rss0 -> $rss1 kB"
	[ "$rss2" -le $((rss0 + 8192)) ] || fail "RSS grew after a killed client: $rss0 -> $rss2 kB"
	;;
tls)
	# --rtsp-tls-cert/--rtsp-tls-key: the head over rtsps:// (digest
	# auth inside TLS), frames equal to the guest's; plain rtsp:// on
	# the same port gets no reply; a key that is not the certificate's,
	# or that others may read, is refused at start, saying why
	command -v openssl >/dev/null || { echo "openssl not installed"; exit 77; }
	selfsign() {
		openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
			-days 2 -keyout "$R/$1.key" -out "$R/$1.crt" \
			2>"$R/openssl.log" || fail "openssl: $(cat "$R/openssl.log")"
		chmod 600 "$R/$1.key"
	}
	selfsign a
	selfsign b
	start_streaming --rtsp-tls-cert "$R/a.crt" --rtsp-tls-key "$R/a.key"
	# the URL vplaned announces to the operator is what is tested
	grep -q 'RTSP: listening on rtsps://' "$R/vplaned.log" ||
		fail "no rtsps:// listener: $(grep RTSP "$R/vplaned.log")"
	N=10
	SCHEME=rtsps pull $N tls | "$PY" "$HERE/stream_check.py" $W $H $N 0 "$R" >"$R/check.txt" ||
		{ cat "$R/check.txt" "$R/tls.log"; fail "rtsps stream check"; }
	grep '^#' "$R/check.txt"
	# under TLS only RTP interleaved in the TLS connection: a SETUP
	# asking for UDP (unencrypted RTP) gets 461 Unsupported Transport
	out=$(timeout $((120 * SLOW)) "$PY" "$HERE/rtsps_setup.py" "$(SCHEME=rtsps url)" alice s3cret-pw \
		'RTP/AVP;unicast;client_port=40000-40001' 'RTP/AVP/UDP;unicast;client_port=40002-40003' \
		'RTP/AVP;multicast' 'RTP/AVP/TCP;unicast;interleaved=0-1' 2>&1) || true
	echo "$out" | sed 's/^/# rtsps /'
	[ "$(echo "$out" | grep -c 'status 461$')" = 3 ] || fail "rtsps allowed a UDP transport: $out"
	echo "$out" | grep -q 'TCP;unicast;interleaved=0-1: status 200$' || fail "rtsps refused interleaved TCP: $out"
	# plain RTSP to the TLS port: the server waits for a TLS handshake
	# and never answers (the probe gives up after 20 s)
	out=$("$PY" "$HERE/rtsp_probe.py" "$(url)" alice s3cret-pw 2>&1) || true
	echo "# plain rtsp:// to the rtsps port: $(echo "$out" | tail -n 1)"
	! echo "$out" | grep -q '^status [1-9]' || fail "plain RTSP got an answer: $out"
	n=$(timeout $((30 * SLOW)) ffmpeg -nostdin -hide_banner -rtsp_transport tcp \
		-i "$(url alice:s3cret-pw@)" -frames:v 1 -f rawvideo -pix_fmt rgb24 - \
		2>"$R/ffmpeg-plain.log" | wc -c) || true
	[ "$n" = 0 ] || fail "plain rtsp:// decoded $n bytes"
	echo "# ffmpeg, plain rtsp://: 0 bytes ($(tail -n 1 "$R/ffmpeg-plain.log"))"
	stop_sim
	stop_vplaned
	# refusals, each with its reason
	refuse() {
		local want=$1
		shift
		rc=0
		"$VPLANED" --backend headless --stream --rtsp-credentials "$CREDS" \
			--rtsp-port $PORT --socket vp-refuse "$@" >"$R/refuse.log" 2>&1 || rc=$?
		[ $rc != 0 ] || fail "vplaned started with $*"
		grep -q "$want" "$R/refuse.log" || fail "unclear error for $*: $(grep ERROR "$R/refuse.log")"
		echo "# refused $*: $(grep -o 'RTSPS.*' "$R/refuse.log" | head -n 1)"
	}
	refuse 'is not the key of the certificate' --rtsp-tls-cert "$R/a.crt" --rtsp-tls-key "$R/b.key"
	refuse 'only the certificate was given' --rtsp-tls-cert "$R/a.crt"
	refuse 'cannot open' --rtsp-tls-cert "$R/none.crt" --rtsp-tls-key "$R/a.key"
	chmod 644 "$R/a.key"
	refuse 'mode 0644.*chmod 600' --rtsp-tls-cert "$R/a.crt" --rtsp-tls-key "$R/a.key"
	chmod 600 "$R/a.key"
	;;
record-ctl)
	# vplanectl record start/stop: a Matroska file ffprobe reads with
	# the guest's size and as many frames as vplaned says it wrote; and
	# each refusal says why (not recording, unknown head, outside the
	# record directory, a name that exists: file, symlink, FIFO,
	# directory; already recording, streaming not enabled, no record
	# directory)
	command -v ffprobe >/dev/null || { echo "ffprobe not installed"; exit 77; }
	CTL="$VPLANE_BUILD/server/vplanectl/vplanectl --socket $SOCK"
	# refuse WANT ARGS...: vplanectl ARGS fails, saying WANT
	refuse() {
		local want=$1 out
		shift
		out=$($CTL "$@" 2>&1) && fail "vplanectl $* succeeded: $out"
		echo "$out" | grep -q -- "$want" || fail "vplanectl $*: unclear error: $out"
		echo "# refused: vplanectl $*: $out"
	}
	# the record directory on the guest's tmpfs: $R is a 9p share,
	# which refuses to make FIFOs
	REC=$(mktemp -d /tmp/vp-rec-XXXXXX)
	mkdir -p "$REC/rec" "$REC/elsewhere"
	echo precious >"$REC/rec/old.mkv"
	ln -s "$REC/elsewhere/target.mkv" "$REC/rec/link.mkv"
	mkfifo "$REC/rec/fifo.mkv"
	mkdir "$REC/rec/dir.mkv"
	start_streaming --record-dir "$REC/rec"
	refuse 'is not being recorded' record stop "$uuid/0"
	refuse 'has no head 3' record start "$uuid/3" "$REC/rec/x.mkv"
	refuse 'is not in the record directory' record start "$uuid/0" /nonexistent/x.mkv
	refuse 'is not in the record directory' record start "$uuid/0" "$REC/elsewhere/x.mkv"
	refuse 'not a file name in the record directory' record start "$uuid/0" "../x.mkv"
	refuse 'not a file name in the record directory' record start "$uuid/0" "$REC/rec/../x.mkv"
	refuse 'not a file name in the record directory' record start "$uuid/0" "$REC/rec/"
	# names that exist: never truncated, followed or opened (a FIFO
	# would block vplaned's loop: vplanectl gives up after 20 s)
	for n in old link fifo dir; do
		refuse 'File exists' record start "$uuid/0" "$n.mkv"
	done
	[ "$(cat "$REC/rec/old.mkv")" = precious ] || fail "an existing file was written"
	[ ! -e "$REC/elsewhere/target.mkv" ] || fail "a symlink was followed"
	out=$($CTL record start "$uuid/0" "$REC/rec/ctl.mkv" 2>&1) || fail "record start: $out"
	echo "# vplanectl record start: $out"
	refuse 'being recorded already' record start "$uuid/0" "other.mkv"
	sleep $((6 * SLOW))
	t0=$(date +%s%N)
	out=$($CTL record stop "$uuid/0" 2>&1) || fail "record stop: $out"
	echo "# vplanectl record stop: $out"
	echo "# figure record-ctl: record stop answered in $((($(date +%s%N) - t0) / 1000000)) ms (the files complete)"
	# at the answer the file is complete: read it before vplaned exits
	logged=$(echo "$out" | sed -n "s|.*the last $REC/rec/ctl.mkv: \([0-9]*\) frames of \([0-9]*\)x\([0-9]*\)$|h264,\2,\3,\1|p")
	[ -n "$logged" ] || fail "record stop did not name $REC/rec/ctl.mkv's frames: $out"
	echo "$out" | grep -q ': 1 file(s),' || fail "the guest's size changed while recording: $out"
	info=$(ffprobe -v error -count_frames -select_streams v:0 \
		-show_entries stream=codec_name,width,height,nb_read_frames \
		-of csv=p=0 "$REC/rec/ctl.mkv") || fail "ffprobe cannot read $REC/rec/ctl.mkv"
	echo "# figure record-ctl: ctl.mkv: vplaned wrote $logged, $(stat -c %s "$REC/rec/ctl.mkv") bytes; ffprobe: $info"
	[ "$info" = "$logged" ] || fail "ffprobe says $info, vplaned wrote $logged"
	case $info in
	h264,$W,$H,*) ;;
	*) fail "ctl.mkv: not the guest's ${W}x$H: $info" ;;
	esac
	n=${info##*,}
	[ "$n" -ge 10 ] || fail "only $n frames recorded in 6 s at 10 fps"
	refuse 'is not being recorded' record stop "$uuid/0"
	# the same name again: not overwritten
	refuse 'File exists' record start "$uuid/0" "ctl.mkv"
	stop_sim
	stop_vplaned
	# a vplaned that streams without --record-dir records nothing
	start_vplaned --backend headless --vgpu "$uuid" --stream --rtsp-credentials "$CREDS" --rtsp-port $PORT
	wait_streamed "$uuid/0" 60
	refuse 'no record directory' record start "$uuid/0" "$REC/rec/y.mkv"
	stop_vplaned
	# a vplaned that does not stream records nothing, and says so
	start_vplaned --backend headless --vgpu "$uuid"
	wait_listed "^  $uuid/0: .*, on [^ ]* at " 30
	refuse 'vplaned is not streaming (start it with --stream)' record start "$uuid/0" "$REC/rec/x.mkv"
	stop_vplaned
	;;
names)
	# a stream's path names the head it shows: after attach of head 1
	# to head 0's output, /<vgpu>/1 serves head 1 and /<vgpu>/0 is gone
	# (it was still served from that output, showing head 1); and one
	# vGPU under two names is shown and served once
	CTL="$VPLANE_BUILD/server/vplanectl/vplanectl --socket $SOCK"
	# status HEAD: the RTSP status of a DESCRIBE of /<vgpu>/HEAD
	status() {
		"$PY" "$HERE/rtsp_probe.py" "rtsp://127.0.0.1:$PORT/$uuid/$1" alice s3cret-pw |
			sed -n 's/^status //p'
	}
	VGPU_TYPE=vplane-2head start_streaming
	wait_streamed "$uuid/1" 30
	[ "$(status 0)" = 200 ] && [ "$(status 1)" = 200 ] ||
		fail "both heads not served: $(status 0) $(status 1)"
	out=$($CTL attach "$uuid/1" HEADLESS-1 2>&1) || fail "attach: $out"
	sleep $((2 * SLOW))
	s0=$(status 0) s1=$(status 1)
	echo "# after attach $uuid/1 HEADLESS-1: /$uuid/0 $s0, /$uuid/1 $s1"
	[ "$s1" = 200 ] || fail "/$uuid/1 not served after it moved: $s1"
	[ "$s0" = 404 ] || fail "/$uuid/0 still served ($s0): its output shows head 1"
	# the log line telling the operator why the path went is tested
	grep -q "stream /$uuid/0 ends: the output shows $uuid/1" "$R/vplaned.log" ||
		fail "the moved stream is not logged"
	url() { echo "rtsp://${1}127.0.0.1:$PORT/$uuid/1"; }
	pull 3 >/dev/null || fail "/$uuid/1 does not stream after the move"
	out=$($CTL attach "$uuid/0" HEADLESS-2 2>&1) || fail "attach: $out"
	sleep $((2 * SLOW))
	[ "$(status 0)" = 200 ] || fail "/$uuid/0 not served once shown again"
	stop_sim
	stop_vplaned
	# the same vGPU under a second name: handed over on the VFIO socket
	# as "other" while shown as its UUID (refused: one display node is
	# shown once), and named twice on the command line (refused with
	# both places)
	VS=$(mktemp -u /tmp/vp-vfio-XXXXXX) # not on $R: 9p makes no sockets
	start_vplaned --backend headless --vgpu "$uuid" --vfio-socket "$VS" \
		--stream --rtsp-credentials "$CREDS" --rtsp-port $PORT
	# (by the clock, as before: polls stretch under TCG)
	end=$((SECONDS + 60 * SLOW))
	until streamed "$uuid/0" && streamed "$uuid/1"; do
		[ $SECONDS -lt $end ] || fail "the vGPU's heads are not served"
		sleep 1
	done
	# vplaned answers its control socket once started: the VFIO socket is
	# there
	[ -S "$VS" ] || fail "no VFIO socket at $VS"
	reply=$("$PY" - "$VS" "/dev/vplane/$uuid" 2>&1 <<'PYEOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
fd = os.open(sys.argv[2], os.O_RDWR | os.O_CLOEXEC)
socket.send_fds(s, [b"other"], [fd])
s.settimeout(30)
print(s.recv(200).decode(errors="replace"))
PYEOF
) || fail "hand-over: $reply"
	echo "# hand-over of /dev/vplane/$uuid as 'other': $reply"
	sleep $((2 * SLOW))
	ctl list >"$R/second-list.txt" 2>&1 || fail "vplanectl list: $(cat "$R/second-list.txt")"
	sed 's/^/# /' "$R/second-list.txt"
	case $reply in
	error*"shown already as $uuid"*) ;;
	*) fail "the same vGPU handed over under another name was taken: $reply" ;;
	esac
	# not a vGPU of vplaned's, and no RTSP path of that name
	! grep -q "^vGPU other: " "$R/second-list.txt" || fail "one vGPU shown under two names"
	for h in 0 1; do
		s=$("$PY" "$HERE/rtsp_probe.py" "rtsp://127.0.0.1:$PORT/other/$h" alice s3cret-pw |
			sed -n 's/^status //p')
		[ "$s" = 404 ] || fail "one vGPU served under two names: /other/$h answers $s"
	done
	stop_vplaned
	if out=$("$VPLANED" --backend headless --vgpu "$uuid" --vgpu-path "/dev/vplane/$uuid" --help 2>&1 >/dev/null); then
		fail "a vGPU given twice was accepted"
	fi
	echo "# --vgpu $uuid --vgpu-path /dev/vplane/$uuid: $out"
	echo "$out" | grep -q "is given twice (first at --vgpu)" || fail "unclear refusal: $out"
	;;
record-fail)
	# the next file of a recording cannot be made: on head 0 a directory
	# has its name, on head 1 the name is past NAME_MAX (a 250-character
	# stem plus ".1"). At the guest's mode change vplaned must log it,
	# stop that recording, keep running and streaming, and say why in
	# vplanectl's answer. (Was a use-after-free, then a double free.)
	command -v ffprobe >/dev/null || { echo "ffprobe not installed"; exit 77; }
	CTL="$VPLANE_BUILD/server/vplanectl/vplanectl --socket $SOCK"
	long=$(printf 'r%.0s' $(seq 250))
	mkdir "$R/fail.1.mkv"
	VGPU_TYPE=vplane-2head SIM_ARGS="--mode-switch 200:256x192" start_streaming --record-dir "$R"
	wait_streamed "$uuid/1" 30
	out=$($CTL record start "$uuid/0" "$R/fail.mkv" 2>&1) || fail "record start: $out"
	echo "# vplanectl record start: $out"
	out=$($CTL record start "$uuid/1" "$R/$long.mkv" 2>&1) || fail "record start: $out"
	echo "# vplanectl record start: $out"
	# (the mode changes once: the encoders' input tells whether it came)
	for h in 0 1; do
		in=$(encoder_input "$uuid/$h")
		[ "${in%%:*}" != 256x192 ] ||
			fail "the guest's mode changed before both recordings started (TCG too slow?)"
	done
	recorded "$uuid/0" "/fail\.mkv$" || fail "$uuid/0 is not recorded to fail.mkv: $(recording_file "$uuid/0")"
	recorded "$uuid/1" "/$long\.mkv$" || fail "$uuid/1 is not recorded to $long.mkv: $(recording_file "$uuid/1")"
	# at the mode change each recording's next file fails: both stop by
	# themselves (by the clock: wait_for's count of polls stretches
	# under TCG)
	end=$((SECONDS + 150 * SLOW))
	until not_recorded "$uuid/0" && not_recorded "$uuid/1"; do
		[ $SECONDS -lt $end ] || fail "no mode change seen while recording: $(recording_file "$uuid/0") $(recording_file "$uuid/1")"
		sleep 1
	done
	in=$(encoder_input "$uuid/0")
	[ "${in%%:*}" = 256x192 ] || fail "the recordings stopped before the mode change (the encoder takes '$in')"
	sleep $((3 * SLOW))
	kill -0 "$vp_pid" 2>/dev/null || fail "vplaned died at the failed next file"
	for h in 0 1; do
		out=$($CTL record stop "$uuid/$h" 2>&1) && fail "record stop $uuid/$h succeeded: $out"
		echo "# vplanectl record stop $uuid/$h: $out"
		case $h in
		0) echo "$out" | grep -q "fail.1.mkv.*File exists" || fail "record stop does not say why: $out" ;;
		1) echo "$out" | grep -q "File name too long" || fail "record stop does not say why: $out" ;;
		esac
	done
	# the first files are whole, the head still streams
	for f in "$R/fail.mkv" "$R/$long.mkv"; do
		info=$(ffprobe -v error -count_frames -select_streams v:0 \
			-show_entries stream=codec_name,width,height,nb_read_frames \
			-of csv=p=0 "$f") || fail "ffprobe cannot read $f"
		echo "# figure record-fail: $(basename "$f" | cut -c1-12)...: ffprobe: $info"
	done
	pull 3 >/dev/null || fail "the head no longer streams after the failed recording"
	out=$($CTL record start "$uuid/0" "$R/again.mkv" 2>&1) || fail "record start after the failure: $out"
	stop_sim
	stop_vplaned
	;;
record)
	# --record VGPU/HEAD=FILE: Matroska files ffprobe reads, each of
	# the size and with as many frames as vplaned says it wrote. The
	# recording starts on the placeholder (640x480) or already on the
	# guest's mode; at each size change it goes on in the next file
	# (head0.mkv, head0.1.mkv, ...): the last one is the guest's.
	command -v ffprobe >/dev/null || { echo "ffprobe not installed"; exit 77; }
	# the vGPU first: its UUID names the head to record
	make_vgpu
	make_vgpu() { :; }
	start_streaming --record-dir "$R" --record "$uuid/0=$R/head0.mkv"
	# recorded to head0.mkv, or already to head0.1.mkv (a size change)
	wait_for "$uuid/0 is not recorded to head0.mkv" 30 recorded "$uuid/0" "^$R/head0\(\.1\)\?\.mkv$"
	sleep $((6 * SLOW))
	stop_sim
	stop_vplaned
	# each file's frames as vplaned finished it at its exit are in its
	# log only (no control socket left to ask): log reads
	files=$(sed -n 's/.*recording \(.*\): [0-9]* frames of [0-9]*x[0-9]*$/\1/p' "$R/vplaned.log")
	[ -n "$files" ] || fail "vplaned finished no recording: $(grep recording "$R/vplaned.log")"
	! grep -q 'recording .*not finished cleanly' "$R/vplaned.log" ||
		fail "$(grep 'not finished cleanly' "$R/vplaned.log")"
	for f in $files; do
		logged=$(sed -n "s|.*recording $f: \([0-9]*\) frames of \([0-9]*\)x\([0-9]*\)$|h264,\2,\3,\1|p" "$R/vplaned.log")
		info=$(ffprobe -v error -count_frames -select_streams v:0 \
			-show_entries stream=codec_name,width,height,nb_read_frames \
			-of csv=p=0 "$f") || fail "ffprobe cannot read $f"
		echo "# figure record: $(basename "$f"): vplaned wrote $logged, $(stat -c %s "$f") bytes; ffprobe: $info"
		[ "$info" = "$logged" ] || fail "$f: ffprobe says $info, vplaned wrote $logged"
		case $info in
		h264,$W,$H,*) [ "$f" = "$(echo "$files" | tail -n 1)" ] ||
			fail "$f: the guest's size before the last file" ;;
		h264,640,480,*) ;; # the placeholder, before the guest's mode
		*) fail "$f: unexpected $info" ;;
		esac
	done
	last=$(echo "$files" | tail -n 1)
	n=$(sed -n "s|.*recording $last: \([0-9]*\) frames of ${W}x$H$|\1|p" "$R/vplaned.log")
	[ "${n:-0}" -ge 10 ] || fail "only ${n:-0} frames of the guest recorded in 6 s at 10 fps"
	[ "$(echo "$files" | wc -l)" -le 2 ] || fail "more files than size changes: $files"
	case $(echo "$files" | wc -l) in
	1) [ "$last" = "$R/head0.mkv" ] || fail "one file, not head0.mkv: $last" ;;
	2) [ "$last" = "$R/head0.1.mkv" ] || fail "second file not head0.1.mkv: $last" ;;
	esac
	;;
*)
	echo "unknown test $test"; exit 1 ;;
esac
