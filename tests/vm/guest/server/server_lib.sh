#!/bin/bash
# Helpers of the vplaned VM tests (server.sh, bench.sh): source after
# setting $test (the test's name). Sets R (its results dir), SOCK,
# XDG_RUNTIME_DIR; exits 77 if vplaned or the simulator is not built.
# cleanup (an EXIT trap) stops what the helpers started and removes the
# vGPUs they made.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
VPLANED=${VPLANED:-$VPLANE_BUILD/server/vplaned}
SIM=$VPLANE_BUILD/examples/vplane-sim
VPLANECTL=$VPLANE_BUILD/server/vplanectl/vplanectl
CHECK="python3 $VPLANE_SRC/tests/vm/guest/server/frame_check.py"
R=$VPLANE_RESULTS/server-$test
[ -x "$VPLANED" ] || { echo "vplaned not built at $VPLANED"; exit 77; }
[ -x "$SIM" ] || { echo "vplane-sim not built (examples disabled)"; exit 77; }
[ -x "$VPLANECTL" ] || { echo "vplanectl not built"; exit 77; }
mkdir -p "$R"

export XDG_RUNTIME_DIR=/tmp/vp-xdg-$test
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
export WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
SOCK=vplaned-$test
vp_pid=
sim_pid=
seatd_pid=
uuid=
uuids=
extra_pids=

cleanup() {
	local u p
	for p in $extra_pids; do kill "$p" 2>/dev/null || true; done
	[ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true
	[ -z "$vp_pid" ] || kill "$vp_pid" 2>/dev/null || true
	[ -z "$seatd_pid" ] || kill "$seatd_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	for u in $uuid $uuids; do
		[ ! -e "/sys/bus/mdev/devices/$u" ] ||
			echo 1 >"/sys/bus/mdev/devices/$u/remove"
	done
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; [ ! -f "$R/vplaned.log" ] || tail -n 30 "$R/vplaned.log"; exit 1; }

# These tests check that vplaned acks every flip. The driver's 100 ms
# fallback would count a TCG host's scheduling hiccup as a missed ack, so
# the driver waits 2 s (times the kernel's slowdown) and the simulator 5 s
# for a flip-done: "late on a loaded host" passes, "never acked" fails.
export VPLANE_SIM_FLIP_TIMEOUT_MS=$((5000 * ${VPLANE_SLOWDOWN:-1}))
vp_load_vplane() {
	vp_load_vfio
	vp_insmod "$VPLANE_MODULES/vplane.ko" \
		ack_timeout_ms=$((2000 * ${VPLANE_SLOWDOWN:-1}))
}

# new_vgpu [TYPE]: create a vGPU (default vplane-1head), print its UUID;
# the caller records it (uuid= or uuids+=) so cleanup removes it
new_vgpu() {
	local u
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" >"/sys/class/mdev_bus/vplane/mdev_supported_types/${1:-vplane-1head}/create" ||
		return 1
	echo "$u"
}

# make_vgpu [TYPE]: load vplane.ko, create a vGPU into $uuid
make_vgpu() {
	vp_load_vplane
	uuid=$(new_vgpu "$@") || fail "cannot create a ${1:-vplane-1head} vGPU"
}

# remove_vgpu UUID
remove_vgpu() { echo 1 >"/sys/bus/mdev/devices/$1/remove"; }

# start_vplaned ARGS...: in the background, wait for its socket
start_vplaned() {
	rm -f "$XDG_RUNTIME_DIR/$SOCK"
	"$VPLANED" --socket "$SOCK" "$@" >>"$R/vplaned.log" 2>&1 &
	vp_pid=$!
	for _ in $(seq 100); do
		[ -S "$XDG_RUNTIME_DIR/$SOCK" ] && return 0
		kill -0 "$vp_pid" 2>/dev/null || fail "vplaned exited early"
		sleep 0.2
	done
	fail "vplaned did not open its socket in 20 s"
}

# stop_vplaned: SIGTERM, expect exit status 0
stop_vplaned() {
	local rc=0
	kill -TERM "$vp_pid"
	wait "$vp_pid" || rc=$?
	vp_pid=
	[ "$rc" = 0 ] || fail "vplaned exited with $rc"
}

# How the tests observe vplaned: through its control protocol
# (vplanectl list and stats, wlr-randr on the control socket), never its
# log's wording, so that rewording a message cannot break a test. The
# log is read only where a log line is itself what a test checks (a
# clear error, who failed to authenticate) or for what vplaned did at
# its exit (no control socket left to ask): wait_log, and those places
# say so.

# wait_log PATTERN [SECONDS] [MIN-COUNT]: until PATTERN is in vplaned's log
# (at least MIN-COUNT times). Only for a message that is itself tested.
wait_log() {
	for _ in $(seq $((${2:-20} * 5))); do
		[ "$(grep -c "$1" "$R/vplaned.log")" -ge "${3:-1}" ] && return 0
		sleep 0.2
	done
	fail "no '$1' in vplaned's log"
}

# wait_for WHAT SECONDS COMMAND...: until COMMAND succeeds; polled like
# wait_log (5 tries a second, the count stretching under TCG, never
# shorter than SECONDS); fail "WHAT" after that
wait_for() {
	local what=$1 secs=$2
	shift 2
	for _ in $(seq $((secs * 5))); do
		"$@" && return 0
		sleep 0.2
	done
	fail "$what"
}

# stat_in COUNTER FILE: COUNTER's value in a saved `vplanectl stats` line
# (empty when vplaned did not send it)
stat_in() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$2" | tail -n 1; }

# head_stat HEAD COUNTER: COUNTER of HEAD now
head_stat() { ctl stats "$1" 2>/dev/null | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }

# stat_at_least HEAD COUNTER MIN
stat_at_least() {
	local v
	v=$(head_stat "$1" "$2")
	[ -n "$v" ] && [ "$v" -ge "$3" ]
}

# wait_stat HEAD COUNTER MIN [SECONDS]: until HEAD's COUNTER is >= MIN
wait_stat() {
	for _ in $(seq $((${4:-20} * 5))); do
		stat_at_least "$1" "$2" "$3" && return 0
		sleep 0.2
	done
	fail "$1: $2 not at $3 in ${4:-20} s (now '$(head_stat "$1" "$2")')"
}

# wait_direct HEAD [SECONDS]: until the output showing HEAD scanned a
# frame of it out directly (the guest's buffer handed to the output)
wait_direct() { wait_stat "$1" output_frames_direct 1 "${2:-20}"; }

# streamed HEAD: the output showing HEAD streams it under /VGPU/N (vplaned
# --stream: the stream, its RTSP and WebRTC paths and its encoder are made
# together; vplanectl stats names the encoder of a streamed head only)
streamed() { ctl stats "$1" 2>/dev/null | grep -q " encoder="; }

# wait_streamed HEAD [SECONDS]
wait_streamed() { wait_for "$1 is not streamed" "${2:-20}" streamed "$1"; }

# encoder_input HEAD: the frames HEAD's stream encoder takes now, as
# WIDTHxHEIGHT:FOURCC (DRM's, e.g. XR24 for GStreamer's BGRx); empty
# before its first frame
encoder_input() { ctl stats "$1" 2>/dev/null | sed -n 's/.* encoder_input=\([^ ]*\).*/\1/p'; }

# recording_file HEAD: the file HEAD is recorded to now (blanks and
# backslashes as \xHH); empty while it is not recorded, or its
# recording stopped (asked, or by itself)
recording_file() { ctl stats "$1" 2>/dev/null | sed -n 's/.* recording=\([^ ]*\).*/\1/p'; }

# recorded HEAD [FILE-PATTERN]: HEAD is being recorded (to a file whose
# path matches FILE-PATTERN, a grep pattern)
recorded() { recording_file "$1" | grep -q -- "${2:-.}"; }
not_recorded() { ctl stats "$1" >"$R/stats-now.txt" 2>&1 && ! grep -q " recording=" "$R/stats-now.txt"; }

# listed PATTERN: a line of `vplanectl list` matches PATTERN
listed() { ctl list 2>/dev/null | grep -q -- "$1"; }
not_listed() { ctl list >"$R/list-now.txt" 2>&1 && ! grep -q -- "$1" "$R/list-now.txt"; }

# wait_listed PATTERN [SECONDS]: until `vplanectl list` has PATTERN
wait_listed() { wait_for "vplanectl list never showed '$1'" "${2:-20}" listed "$1"; }

# wait_unlisted PATTERN [SECONDS]: until vplanectl answers without it
wait_unlisted() { wait_for "vplanectl list still shows '$1'" "${2:-20}" not_listed "$1"; }

# wait_shown HEAD OUTPUT [SECONDS]: until OUTPUT shows HEAD
wait_shown() { wait_listed "^  $1: .*, on $2 at " "${3:-20}"; }

# save_stats HEAD FILE: HEAD's counters now, kept for stat_in and echoed
save_stats() {
	ctl stats "$1" >"$2" 2>&1 || fail "vplanectl stats $1: $(cat "$2")"
	sed 's/^/# stats: /' "$2"
}

capture() { WAYLAND_DISPLAY=$SOCK timeout 30 grim -t ppm "$@"; }

# capture_advancing [GRIM-ARGS...]: three captures a second apart, each
# the simulator's frame pixel for pixel, each a different frame; sets
# $frames to their frame numbers
capture_advancing() {
	local i out
	frames=""
	for i in 1 2 3; do
		sleep 1
		capture "$@" "$R/cap$i.ppm" || fail "grim failed"
		out=$($CHECK "$R/cap$i.ppm") || fail "capture $i: $out"
		echo "# capture $i: $out"
		frames="$frames $(echo "$out" | sed -n 's/^frame \([0-9]*\):.*/\1/p')"
	done
	[ "$(echo $frames | tr ' ' '\n' | sort -u | wc -l)" = 3 ] ||
		fail "captures did not advance: frames$frames"
}

# vplanectl against the vplaned of this test (its control socket)
ctl() { timeout 20 "$VPLANECTL" --socket "$SOCK" "$@"; }

# no_head_shown CAPTURE: black or vplaned's placeholder, not a guest frame
no_head_shown() { $CHECK "$1" --black >/dev/null || $CHECK "$1" --placeholder >/dev/null; }
