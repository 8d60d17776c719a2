#!/bin/bash
# Guest flip to KMS present latency, event path vs upstream polling path
# (issue 6, "Benchmarks"): figures, not a timed test.
# The same guest (vplane-sim, 1024x768, RATE flips/s) is shown by
# vplaned's kiosk (--backend drm on vkms, 1024x768 at 60 Hz, direct
# scanout of the guest's buffer) twice:
#  - event path: --vgpu, vplaned reads display-node flip events and acks
#    each flip when it is presented;
#  - polling path: --vfio-socket, the simulator hands its VFIO device fd
#    over (as a VMM would) and vplaned re-reads the plane with
#    VFIO_DEVICE_QUERY_GFX_PLANE at the output's refresh.
# What is compared, both CLOCK_MONOTONIC of the one kernel the guest
# simulator, vplane.ko and vkms share:
#  - guest flip: vplane.ko's stamp of the guest's flip doorbell write,
#    the timestamp_ns of the flip event an observer (vp-flip-latency
#    observe) reads from the display node; the node reports flips in both
#    runs, only vplaned does not read it in the polling one;
#  - KMS present: the DRM page-flip event's timestamp (vkms's vblank) of
#    the first presented commit scanning that buffer out, from vplaned's
#    VPLANED_FRAME_TRACE (server/frame_trace.h); the commit's start is
#    printed too. Pairing rules: flip_latency.c.
# The guest flips at a third of the refresh or less so a frame is never
# mistaken for the one before the last (the pairing needs it); under TCG
# it draws 1024x768 too slowly for more anyway.
# Asserted (sanity only): each path pairs most frames, the guest saw no
# flip-done timeout, vplaned never mapped the guest's pixels.
#   latency.sh [FRAMES [RATE]]   (default 120 at 20 Hz; TCG: 40 at 5 Hz)
set -e
test=latency
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
LAT=$VPLANE_BUILD/tests/vm/guest/server/vp-flip-latency
[ -x "$LAT" ] || { echo "vp-flip-latency not built at $LAT"; exit 77; }
command -v seatd >/dev/null || { echo "seatd not installed"; exit 77; }
if [ "${VPLANE_ACCEL:-kvm}" = tcg ]; then
	FRAMES=${1:-40} RATE=${2:-5}
else
	FRAMES=${1:-120} RATE=${2:-20}
fi
WARMUP=5
VS=$XDG_RUNTIME_DIR/vfio.sock

. "$VPLANE_SRC/tests/vm/guest/server/kiosk_lib.sh"
kiosk_setup

# This benchmark reads vplaned's exit summary (a log read): on the polling
# path the vGPU is its VMM's, dropped with it when the simulator ends, so
# no head is left to ask `vplanectl stats` before vplaned exits, and asking
# while the guest flips would load the run being measured.
# map_count: CPU mappings of vGPU buffers vplaned logged at its last exit
map_count() { sed -n 's/.*vplaned: \([0-9]*\) CPU mapping.*/\1/p' "$R/vplaned.log" | tail -n 1; }

declare -A p50 p99
# run PATH VPLANED-ARGS -- SIM-ARGS: one path; sets p50/p99[PATH]
run() {
	local path=$1 args=() obs_pid line
	shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	: >"$R/vplaned.log"
	VPLANED_FRAME_TRACE=$R/trace-$path.txt start_vplaned --backend drm "${args[@]}"
	# the VFIO socket opens after the backend started, past the
	# Wayland socket start_vplaned waits for
	if [ "$path" = polling ]; then
		for _ in $(seq 100); do [ -S "$VS" ] && break; sleep 0.2; done
		[ -S "$VS" ] || fail "vplaned did not open $VS in 20 s"
	fi
	"$LAT" observe --uuid "$uuid" >"$R/flips-$path.txt" 2>"$R/observe-$path.log" &
	obs_pid=$!
	extra_pids=$obs_pid
	"$SIM" --uuid "$uuid" --mode 1024x768 --rate "$RATE" \
		--frames $((FRAMES + WARMUP)) --no-cursor --quiet "$@" \
		>"$R/sim-$path.log" 2>&1 &
	sim_pid=$!
	wait "$sim_pid" || fail "$path: simulator: $(cat "$R/sim-$path.log")"
	sim_pid=
	grep -q ' 0 timeouts' "$R/sim-$path.log" || fail "$path: the guest saw flip-done timeouts: $(cat "$R/sim-$path.log")"
	kill -TERM "$obs_pid"
	wait "$obs_pid" || fail "$path: observer: $(cat "$R/observe-$path.log")"
	extra_pids=
	# (the guest is gone: a log read, as for map_count above)
	grep -q "direct scanout of" "$R/vplaned.log" || fail "$path: vplaned never scanned the guest's buffer out"
	stop_vplaned
	[ "$(map_count)" = 0 ] || fail "$path: vplaned mapped vGPU pixels"
	cp "$R/vplaned.log" "$R/vplaned-$path.log"
	line=$("$LAT" match "$R/flips-$path.txt" "$R/trace-$path.txt" "$WARMUP") ||
		fail "$path: no latency: $line"
	n=$(sed -n 's/.* n=\([0-9]*\).*/\1/p' <<<"$line")
	[ "$n" -ge $((FRAMES / 2)) ] || fail "$path: only $n of $FRAMES frames paired: $line"
	p50[$path]=$(sed -n 's/.*present_p50_ms=\([0-9.]*\).*/\1/p' <<<"$line")
	p99[$path]=$(sed -n 's/.*present_p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")
	fps=$(awk 'NR == 1 { t0 = $4 } { n++; t = $4 } END { if (n > 1) printf "%.1f", (n - 1) * 1e9 / (t - t0); else print 0 }' "$R/flips-$path.txt")
	echo "# $path path: guest flip to KMS present $line (guest at $fps flips/s, target $RATE)"
}

run event --vgpu "$uuid" --
run polling --vfio-socket "$VS" -- --share-fd "$VS"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "# flip to KMS present on vkms (1024x768@60): event p50 ${p50[event]} ms p99 ${p99[event]} ms; polling p50 ${p50[polling]} ms p99 ${p99[polling]} ms; polling/event p50 $(ratio "${p50[polling]}" "${p50[event]}") p99 $(ratio "${p99[polling]}" "${p99[event]}")"
remove_vgpu "$uuid"; uuid=
vp_check_no_leaks || fail "vplane objects leaked"
echo "ok"
