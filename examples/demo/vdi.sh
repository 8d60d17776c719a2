#!/bin/bash
# Demo step 4, a VDI host with remote viewers: two vGPUs, each driven by a
# simulated guest; vplaned runs headless, one output per head, and streams
# every head over RTSP (x264, digest auth) while recording it. A real
# client (ffmpeg) pulls each stream for a few seconds, every decoded frame
# is checked against the frame the guest drew (same counter), grim takes a
# screenshot of each head, and a one-screen summary ends the demo
# (summary.txt, printed again by examples/demo.sh on the host).
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
R=$VPLANE_RESULTS
SLOW=${VPLANE_SLOWDOWN:-1}
W=320 H=240 RATE=10 PULL_FRAMES=30
PORT=8554 USER=demo PASS=vplane-demo
VPLANECTL=$VPLANE_BUILD/server/vplanectl/vplanectl
SIM=$VPLANE_BUILD/examples/vplane-sim
CHECK=$VPLANE_SRC/tests/vm/guest/stream/stream_check.py

# VPLANE_DEMO_LOAD=N: N CPU hogs (stress-ng) run in the guest throughout,
# to see the latency of a host that has other work (0: none)
LOAD=${VPLANE_DEMO_LOAD:-0}
VIEWER_NICE=${VPLANE_DEMO_VIEWER_NICE:--10}

vp_load_vfio
vp_insmod "$VPLANE_MODULES/vplane.ko"
# Under TCG the software encoder takes tens of ms to read a frame and the
# guest's flip-done waits for it: vplaned holds acks up to 1 s, and the
# driver's own deadline lies above that (a real host keeps the defaults).
echo $((2000 * SLOW)) >/sys/module/vplane/parameters/ack_timeout_ms

pids=()
uuids=()
cleanup() {
	local p u
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for u in "${uuids[@]}"; do
		[ ! -e "/sys/bus/mdev/devices/$u" ] ||
			echo 1 >"/sys/bus/mdev/devices/$u/remove"
	done
}
trap cleanup EXIT
die() { echo "demo: $*" >&2; [ ! -f "$R/vplaned.log" ] || tail -n 20 "$R/vplaned.log" >&2; exit 1; }

if [ "$LOAD" -gt 0 ]; then
	stress-ng --cpu "$LOAD" --quiet >/dev/null 2>&1 &
	pids+=($!)
	echo "load: $LOAD CPU hogs (stress-ng --cpu $LOAD) run alongside"
fi

# Two guests, each flipping its frame counter at $RATE Hz
for name in A B; do
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" >/sys/class/mdev_bus/vplane/mdev_supported_types/vplane-1head/create
	uuids+=("$u")
	"$SIM" --uuid "$u" --mode ${W}x$H --rate $RATE --no-cursor --quiet \
		--flip-timeout $((3000 * SLOW)) >"$R/sim-$name.log" 2>&1 &
	pids+=($!)
	echo "vGPU $name: $u (vplane-1head), its guest flips ${W}x$H at $RATE Hz"
done
A=${uuids[0]} B=${uuids[1]}

# The viewers' credentials: a file only its owner reads
printf '# the demo viewer\n%s:%s\n' $USER $PASS >"$R/credentials"
chmod 600 "$R/credentials"

export XDG_RUNTIME_DIR=/tmp/demo-xdg WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
# recordings go to new files only: a previous run's are replaced here
rm -f "$R"/vdi-[AB]*.mkv
"$VPLANE_BUILD/server/vplaned" --backend headless --socket demo \
	--vgpu "$A" --vgpu "$B" --stream --rtsp-port $PORT \
	--rtsp-credentials "$R/credentials" --stream-chroma 444 \
	--stream-ack-hold-ms $((1000 * SLOW)) \
	--record-dir "$R" --record "$A/0=$R/vdi-A.mkv" --record "$B/0=$R/vdi-B.mkv" \
	>"$R/vplaned.log" 2>&1 &
vplaned=$!
pids+=($vplaned)
for _ in $(seq $((150 * SLOW))); do
	[ "$(grep -c 'RTSP: serving /' "$R/vplaned.log")" -ge 2 ] && break
	kill -0 $vplaned 2>/dev/null || die "vplaned exited"
	sleep 0.2
done
[ "$(grep -c 'RTSP: serving /' "$R/vplaned.log")" -ge 2 ] || die "vplaned serves no streams"
echo "vplaned is up: headless, one output per head, streaming and recording each"
ctl() { "$VPLANECTL" --socket demo "$@"; }
ctl list | sed 's/^/  /'

# Where each head is shown, for grim: "  UUID/0: ... on HEADLESS-n at ..."
output_of() { ctl list | sed -n "s|^  $1/0: .* on \([^ ]*\) at .*|\1|p"; }

# CPU of vplaned (compositing and encoding threads) and frames presented,
# over the time the viewers watch
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$vplaned/stat; }
presented() { ctl stats "$1/0" | sed -n 's/.* frames_presented=\([0-9]*\).*/\1/p'; }
uptime_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
cpu0=$(cpu_ticks) f0=$(($(presented "$A") + $(presented "$B"))) ms0=$(uptime_ms)
stats0A=$(ctl stats "$A/0") stats0B=$(ctl stats "$B/0")

# The viewers start at once: the SDP describes the stream, so ffmpeg
# need not probe it first (and a TCG-slow encoder can outlast a probe).
# Each viewer's checker starts first and reads from a FIFO as soon as
# it runs (python and numpy take seconds to start under TCG; a client
# that does not read meanwhile holds a backlog in its own socket that
# no server can take back), then its ffmpeg pulls.
# (FIFOs in the guest's tmpfs: the results share has none)
for name in A B; do
	fifo=/tmp/demo-viewer-$name.fifo
	rm -f "$fifo" "$R/viewer-$name.ready"
	mkfifo "$fifo"
	# the checker opens the FIFO once ready; ffmpeg's end (or its
	# failure: the shell opened the FIFO for it) ends the checker's input
	STREAM_CHECK_READY=$R/viewer-$name.ready STREAM_CHECK_INPUT=$fifo \
		STREAM_CHECK_FORMAT=yuv444p STREAM_CHECK_T0=$R/viewer-$name.t0 \
		nice -n "$VIEWER_NICE" /usr/bin/python3 "$CHECK" $W $H $PULL_FRAMES 0 "$R" \
		</dev/null >"$R/viewer-$name.txt" &
	eval "viewer_$name=\$!"
done
for _ in $(seq $((240 * SLOW))); do
	[ -e "$R/viewer-A.ready" ] && [ -e "$R/viewer-B.ready" ] && break
	sleep 0.5
done
# Each ffmpeg hands the checker its decoder's own pixels (planar 4:4:4,
# no scaler): under TCG a software RGB conversion costs several times the
# decoding, and a viewer slower than the stream keeps the difference in
# its socket as latency (the checker converts after the stream ends).
# -benchmark: ffmpeg's own CPU time, for the summary.
for name in A B; do
	u=${uuids[$([ $name = A ] && echo 0 || echo 1)]}
	echo "viewer $name: ffmpeg pulls rtsp://$USER:***@127.0.0.1:$PORT/$u/0"
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime >"$R/viewer-$name.t0"
	timeout $((120 * SLOW)) nice -n "$VIEWER_NICE" ffmpeg -nostdin -hide_banner -loglevel info -nostats \
		-benchmark -rtsp_transport tcp -fflags nobuffer -flags low_delay \
		-probesize 32 -analyzeduration 0 \
		-threads 1 -i "rtsp://$USER:$PASS@127.0.0.1:$PORT/$u/0" \
		-frames:v $PULL_FRAMES -fps_mode passthrough -flush_packets 1 \
		-f rawvideo -pix_fmt yuv444p - 2>"$R/ffmpeg-$name.log" >"/tmp/demo-viewer-$name.fifo" &
done
# Where unread bytes wait while the viewers pull: each RTSP connection's
# queues, both ends (the guest's loopback, /proc/net/tcp), every 100 ms:
# vplaned's unsent bytes (tx_queue of port 8554's side) and the viewers'
# unread ones (rx_queue of theirs); the summary shows the largest, in
# bytes and in the stream's time at its bitrate. One process, no forks.
/usr/bin/python3 -c '
import sys, time
port = "%04X" % int(sys.argv[1])
while True:
    tx = rx = 0
    for line in open("/proc/net/tcp").readlines()[1:]:
        f = line.split()
        if f[3] != "01":
            continue
        t, r = (int(v, 16) for v in f[4].split(":"))
        if f[1].endswith(":" + port):
            tx = max(tx, t)
        elif f[2].endswith(":" + port):
            rx = max(rx, r)
    print(tx, rx, flush=True)
    time.sleep(0.1)
' $PORT >"$R/socket-queues.txt" 2>/dev/null &
sampler=$!
pids+=($sampler)
for name in A B; do
	out=$(output_of "${uuids[$([ $name = A ] && echo 0 || echo 1)]}")
	WAYLAND_DISPLAY=demo timeout 30 grim -o "$out" "$R/head-$name.png" ||
		die "grim could not capture $out"
	echo "grim: screenshot of head $name ($out) taken while it streams"
done
wait "$viewer_A" || die "viewer A: $(cat "$R/viewer-A.txt" "$R/ffmpeg-A.log")"
wait "$viewer_B" || die "viewer B: $(cat "$R/viewer-B.txt" "$R/ffmpeg-B.log")"
cpu1=$(cpu_ticks) f1=$(($(presented "$A") + $(presented "$B"))) ms1=$(uptime_ms)
statsA=$(ctl stats "$A/0") statsB=$(ctl stats "$B/0")
kill $sampler 2>/dev/null || true

kill -TERM $vplaned
wait $vplaned || die "vplaned did not exit cleanly"

# The summary
fig() { sed -n "s/^# figure stream: $2/\1/p" "$R/viewer-$1.txt" | head -n 1; }
val() { echo "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }
recording() {
	local f
	f=$(sed -n "s|.*recording \($R/vdi-$1[.0-9]*mkv\): [0-9]* frames of ${W}x$H$|\1|p" "$R/vplaned.log" | tail -n 1)
	[ -n "$f" ] || { echo "none finished"; return; }
	echo "$(basename "$f"), ffprobe: $(ffprobe -v error -count_frames \
		-select_streams v:0 -show_entries stream=codec_name,width,height,nb_read_frames \
		-of csv=p=0 "$f" | sed 's/^\([^,]*\),\([0-9]*\),\([0-9]*\),\([0-9]*\)/\1 \2x\3, \4 frames/')"
}
# "mean ms (max ms)" of a stage: its us counter's growth over its frame
# counter's between two stats lines, and its _max counter
stage() {
	local n=$(($(val "$2" "$4") - $(val "$1" "$4")))
	local us=$(($(val "$2" "$3") - $(val "$1" "$3")))
	awk -v n=$n -v us=$us -v max="$(val "$2" "${3}_max")" \
		'BEGIN { printf "%.0f ms (max %.0f ms)", n ? us / n / 1000 : 0, max / 1000 }'
}
# one head's encoded bytes per ms while viewed (the mean of both)
bpms=$(awk -v b=$(($(val "$statsA" stream_bytes) + $(val "$statsB" stream_bytes) -
	$(val "$stats0A" stream_bytes) - $(val "$stats0B" stream_bytes))) \
	-v t=$((ms1 - ms0)) 'BEGIN { printf "%.3f", (t > 0) ? b / 2 / t : 0 }')
sockq() {
	awk -v c="$1" -v bpms="$bpms" '{ if ($c + 0 > m) m = $c + 0 }
		END { printf "%d bytes (%.0f ms of stream)", m, (bpms > 0) ? m / bpms : 0 }' \
		"$R/socket-queues.txt"
}
frames=$((f1 - f0))
hz=$(getconf CLK_TCK)
{
	echo "=================== vplane demo: a VDI host, summarised ==================="
	for name in A B; do
		u=${uuids[$([ $name = A ] && echo 0 || echo 1)]}
		s=$([ $name = A ] && echo "$statsA" || echo "$statsB")
		echo "head $name  ${W}x$H  rtsp://127.0.0.1:$PORT/$u/0"
		echo "  viewer (ffmpeg): $(fig $name '\([0-9.]*\) frames\/s received') fps received," \
			"first frame $(fig $name 'first frame \([0-9]*\) ms after.*') ms after its ffmpeg was run (loading included)," \
			"ffmpeg CPU $(sed -n 's/^bench: utime=\([0-9.]*\)s stime=\([0-9.]*\)s.*/\1 s user \2 s sys/p' \
				"$R/ffmpeg-$name.log") for $PULL_FRAMES frames"
		echo "  checked: $(fig $name '\([0-9]*\) frames decoded.*') frames decoded, every one checked," \
			"PSNR min $(fig $name 'PSNR min \([0-9.]*\) dB.*') dB;" \
			"$(fig $name '.*, \([0-9]*\) dropped of [0-9]* guest frames.*') of" \
			"$(fig $name '.*dropped of \([0-9]*\) guest frames.*') guest frames in that span never reached the viewer"
		echo "  latency guest draw -> decoded: p50 $(fig $name 'latency .* p50 \([0-9]*\) ms.*') ms," \
			"p99 $(fig $name 'latency .* p99 \([0-9]*\) ms.*') ms"
		echo "  flips $(val "$s" flips), acked $(val "$s" acks), encoded $(val "$s" stream_frames_encoded)," \
			"driver ack timeouts $(val "$s" vgpu_ack_timeouts)"
		fl=$(val "$s" flips) en=$(val "$s" stream_frames_encoded)
		nd=$((${fl:-0} - ${en:-0}))
		echo "  dropped: $((nd > 0 ? nd : 0)) flips not encoded" \
			"(leaky hand-off, newest kept), $(val "$s" stream_frames_dropped) encoded frames" \
			"skipped for a viewer behind (> 500 ms queued); keyframes forced" \
			"$(val "$s" stream_keyframes_forced) of $(val "$s" stream_keyframe_requests) asked"
		s0=$([ $name = A ] && echo "$stats0A" || echo "$stats0B")
		echo "  where the time went (mean while viewed, max since start):" \
			"encoder $(stage "$s0" "$s" stream_encode_us stream_frames_encoded)," \
			"queued for viewer and recording $(stage "$s0" "$s" stream_queue_us stream_frames_sent)," \
			"RTP payloading to the RTSP sink $(stage "$s0" "$s" stream_sink_us stream_frames_to_sink)"
		echo "  recording: $(recording $name)"
		echo "  screenshot: head-$name.png"
	done
	echo "RTSP connections while viewed, largest queue: vplaned's socket" \
		"$(sockq 1) unsent, the viewer's $(sockq 2) unread"
	echo "encoder: $(echo "$statsA" | sed -n 's/.* encoder=\([^ ]*\).*/\1/p')" \
		"(no VA-API, NVENC or V4L2 device here: software)"
	if [ "$frames" -gt 0 ]; then
		echo "vplaned CPU per frame: $(awk -v t=$((cpu1 - cpu0)) -v hz="$hz" -v f=$frames \
			'BEGIN { printf "%.1f", t * 1000 / hz / f }') ms ($frames frames," \
			"compositing and encoding, on TCG's emulated CPU)"
	fi
	echo "==========================================================================="
} >"$R/summary.txt"
cat "$R/summary.txt"
