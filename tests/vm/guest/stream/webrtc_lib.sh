#!/bin/bash
# What the WebRTC VM tests share (webrtc.sh, webrtc_input.sh): source
# after server_lib.sh with R set. The tools they need (or exit 77), and
# a vGPU whose head 0 the simulator draws at W x H while vplaned
# (headless, --webrtc on 127.0.0.1:PORT) streams it.

# webrtc_need TOOL...: Chromium's WebRTC stack and the given tools
webrtc_need() {
	local t
	for t in chromium "$@"; do
		command -v "$t" >/dev/null || { echo "$t not installed"; exit 77; }
	done
	gst-inspect-1.0 x264enc >/dev/null 2>&1 || { echo "x264enc not installed (gstreamer1.0-plugins-ugly)"; exit 77; }
	gst-inspect-1.0 webrtcbin >/dev/null 2>&1 || { echo "webrtcbin not installed (gstreamer1.0-plugins-bad)"; exit 77; }
	gst-inspect-1.0 nicesrc >/dev/null 2>&1 || { echo "libnice's GStreamer plugin not installed (gstreamer1.0-nice)"; exit 77; }
}

HERE=$VPLANE_SRC/tests/vm/guest/stream
PY=/usr/bin/python3
W=320 H=240
PORT=8080
SLOW=${VPLANE_SLOWDOWN:-1}
# as in stream.sh: under TCG the converter reads a frame for tens of ms
HOLD_MS=$((1000 * SLOW)) ACK_TIMEOUT_MS=$((2000 * SLOW))
rnd_token() { echo "vplane-$1-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"; }

# page TOKEN: the viewer page's address for head 0
page() { echo "http://127.0.0.1:$PORT/?token=$1#$uuid/0"; }

# webrtc_start TOKEN_FILE [VPLANED ARGS...]: vplaned serving the
# page with TOKEN_FILE (made mode 0600), head 0 streamed and drawn by
# the simulator (sim_pid, its log $R/sim.log) and scanned out directly.
# make_vgpu (and anything that must be there before vplaned) first.
webrtc_start() {
	local tokens=$1
	shift
	chmod 600 "$tokens"
	ip link set lo up 2>/dev/null || true
	echo $ACK_TIMEOUT_MS >/sys/module/vplane/parameters/ack_timeout_ms
	start_vplaned --backend headless --vgpu "$uuid" --webrtc --rtsp-no-auth \
		--webrtc-port $PORT --webrtc-token-file "$tokens" \
		--stream-ack-hold-ms $HOLD_MS ${VPLANED_DEBUG:+--verbose} "$@"
	wait_streamed "$uuid/0" 60
	"$SIM" --uuid "$uuid" --mode ${W}x$H --rate 10 --no-cursor --quiet \
		--flip-timeout $((ACK_TIMEOUT_MS + 1000)) >"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_direct "$uuid/0" 30
}
