#!/bin/bash
# Helpers of the vplaned VM tests (server.sh, bench.sh): source after
# setting $test (the test's name). Sets R (its results dir), SOCK,
# XDG_RUNTIME_DIR; exits 77 if vplaned or the simulator is not built.
# cleanup (an EXIT trap) stops what the helpers started and removes the
# vGPUs they made.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
VPLANED=${VPLANED:-$VPLANE_BUILD/server/vplaned}
SIM=$VPLANE_BUILD/examples/vplane-sim
CHECK="python3 $VPLANE_SRC/tests/vm/guest/server/frame_check.py"
R=$VPLANE_RESULTS/server-$test
[ -x "$VPLANED" ] || { echo "vplaned not built at $VPLANED"; exit 77; }
[ -x "$SIM" ] || { echo "vplane-sim not built (examples disabled)"; exit 77; }
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

# wait_log PATTERN [SECONDS] [MIN-COUNT]: until PATTERN is in vplaned's log
# (at least MIN-COUNT times)
wait_log() {
	for _ in $(seq $((${2:-20} * 5))); do
		[ "$(grep -c "$1" "$R/vplaned.log")" -ge "${3:-1}" ] && return 0
		sleep 0.2
	done
	fail "no '$1' in vplaned's log"
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

# counters vplaned logs at exit: "vGPU U: events .. acks N ack_timeouts N flips N"
stat_of() { sed -n "s/.*vGPU .*: events.* $1 \([0-9]*\).*/\1/p" "$R/vplaned.log" | tail -n 1; }

# CPU mappings of vGPU buffers vplaned logged at its last exit
map_count() { sed -n 's/.*vplaned: \([0-9]*\) CPU mapping.*/\1/p' "$R/vplaned.log" | tail -n 1; }

# vplanectl against the vplaned of this test (its control socket)
VPLANECTL=$VPLANE_BUILD/server/vplanectl/vplanectl
ctl() { timeout 20 "$VPLANECTL" --socket "$SOCK" "$@"; }

# no_head_shown CAPTURE: black or vplaned's placeholder, not a guest frame
no_head_shown() { $CHECK "$1" --black >/dev/null || $CHECK "$1" --placeholder >/dev/null; }
