#!/bin/bash
# vplaned streaming in the VM (issue 7):
#   stream.sh rtsp|auth|access|clients|tls|record|record-ctl
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
# start_streaming [VPLANED-ARGS...]
start_streaming() {
	[ -n "${uuid:-}" ] || make_vgpu
	echo $ACK_TIMEOUT_MS >/sys/module/vplane/parameters/ack_timeout_ms
	start_vplaned --backend headless --vgpu "$uuid" --stream \
		--rtsp-credentials "$CREDS" --rtsp-port $PORT \
		--stream-ack-hold-ms $HOLD_MS --stream-chroma 444 \
		${VPLANED_DEBUG:+--verbose} "$@"
	wait_log "RTSP: serving /$uuid/0" 60
	"$SIM" --uuid "$uuid" --mode ${W}x$H --rate 10 --no-cursor --quiet \
		--flip-timeout $((ACK_TIMEOUT_MS + 1000)) >"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_log "direct scanout of" 30
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
	stop_vplaned
	grep 'streams use\|stream /.*frames pushed\|stream /.*acks held\|frames into' "$R/vplaned.log" | sed 's/^.*\] /# /'
	late=$(sed -n 's/.*stream \/.*, \([0-9]*\) late acks.*/\1/p' "$R/vplaned.log" | tail -n 1)
	acks=$(stat_of acks) timeouts=$(stat_of ack_timeouts) flips=$(stat_of flips)
	held=$(sed -n 's/.*stream \/[^:]*: \(.*acks held.*\)/\1/p' "$R/vplaned.log" | tail -n 1)
	echo "# figure stream: flips $flips acks $acks driver ack timeouts $timeouts; $held; late acks (bound fired) ${late:-?}"
	grep -q 'h264 streams use x264enc (software)' "$R/vplaned.log" ||
		fail "the software encoder was not chosen"
	[ "$timeouts" = 0 ] || fail "$timeouts driver ack timeouts"
	[ "${late:-x}" = 0 ] || fail "${late:-?} acks sent while the encoder still read the frame"
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
	wait_log "RTSP: serving /$B/0" 60
	wait_log "WebRTC: serving /$B/0" 60
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
	grep -q '^status 200$' "$R/bob_a" || fail "bob (htdigest, pattern) refused A: $(cat "$R/bob_a")"
	ws ws_a "$A/0" $tok_a
	grep -q '^message$\|^open$' "$R/ws_a" || fail "A's token, A's head: $(cat "$R/ws_a")"
	grep -q "WebRTC /$A/0#[0-9]*: viewer from" "$R/vplaned.log" || fail "A's token: no viewer for A's head"
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
	grep -q 'RTSP: listening on rtsps://' "$R/vplaned.log" ||
		fail "no rtsps:// listener: $(grep RTSP "$R/vplaned.log")"
	N=10
	SCHEME=rtsps pull $N tls | "$PY" "$HERE/stream_check.py" $W $H $N 0 "$R" >"$R/check.txt" ||
		{ cat "$R/check.txt" "$R/tls.log"; fail "rtsps stream check"; }
	grep '^#' "$R/check.txt"
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
	# each refusal says why (not recording, unknown head, bad path,
	# already recording, streaming not enabled)
	command -v ffprobe >/dev/null || { echo "ffprobe not installed"; exit 77; }
	CTL="$VPLANE_BUILD/server/vplanectl/vplanectl --socket $SOCK"
	# refuse WANT ARGS...: vplanectl ARGS fails, saying WANT
	refuse() {
		local want=$1 out
		shift
		out=$($CTL "$@" 2>&1) && fail "vplanectl $* succeeded: $out"
		echo "$out" | grep -q "$want" || fail "vplanectl $*: unclear error: $out"
		echo "# refused: vplanectl $*: $out"
	}
	start_streaming
	refuse 'is not being recorded' record stop "$uuid/0"
	refuse 'has no head 3' record start "$uuid/3" "$R/x.mkv"
	refuse 'not a directory vplaned can write' record start "$uuid/0" /nonexistent/x.mkv
	refuse 'is a directory' record start "$uuid/0" "$R"
	out=$($CTL record start "$uuid/0" "$R/ctl.mkv" 2>&1) || fail "record start: $out"
	echo "# vplanectl record start: $out"
	refuse 'being recorded already' record start "$uuid/0" "$R/other.mkv"
	sleep $((6 * SLOW))
	out=$($CTL record stop "$uuid/0" 2>&1) || fail "record stop: $out"
	echo "# vplanectl record stop: $out"
	# at the answer the file is complete: read it before vplaned exits
	logged=$(echo "$out" | sed -n "s|.*the last $R/ctl.mkv: \([0-9]*\) frames of \([0-9]*\)x\([0-9]*\)$|h264,\2,\3,\1|p")
	[ -n "$logged" ] || fail "record stop did not name $R/ctl.mkv's frames: $out"
	echo "$out" | grep -q ': 1 file(s),' || fail "the guest's size changed while recording: $out"
	info=$(ffprobe -v error -count_frames -select_streams v:0 \
		-show_entries stream=codec_name,width,height,nb_read_frames \
		-of csv=p=0 "$R/ctl.mkv") || fail "ffprobe cannot read $R/ctl.mkv"
	echo "# figure record-ctl: ctl.mkv: vplaned wrote $logged, $(stat -c %s "$R/ctl.mkv") bytes; ffprobe: $info"
	[ "$info" = "$logged" ] || fail "ffprobe says $info, vplaned wrote $logged"
	case $info in
	h264,$W,$H,*) ;;
	*) fail "ctl.mkv: not the guest's ${W}x$H: $info" ;;
	esac
	n=${info##*,}
	[ "$n" -ge 10 ] || fail "only $n frames recorded in 6 s at 10 fps"
	refuse 'is not being recorded' record stop "$uuid/0"
	stop_sim
	stop_vplaned
	# a vplaned that does not stream records nothing, and says so
	start_vplaned --backend headless --vgpu "$uuid"
	wait_log "shows vGPU head $uuid/0" 30
	refuse 'vplaned is not streaming (start it with --stream)' record start "$uuid/0" "$R/x.mkv"
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
	start_streaming --record "$uuid/0=$R/head0.mkv"
	wait_log "recording to $R/head0.mkv" 30
	sleep $((6 * SLOW))
	stop_sim
	stop_vplaned
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
