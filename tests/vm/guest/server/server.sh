#!/bin/bash
# vplaned in the VM: server.sh headless|kiosk|remove|errors
# vplaned shows a vGPU driven by examples' vplane-sim (guest + VMM in one
# process); captures, CRCs and counters are checked here.
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -e
test=$1
VPLANED=${VPLANED:-$VPLANE_BUILD/server/vplaned}
SIM=$VPLANE_BUILD/examples/vplane-sim
CHECK="python3 $VPLANE_SRC/tests/vm/guest/server/frame_check.py"
R=$VPLANE_RESULTS/server-$test
[ -x "$VPLANED" ] || { echo "vplaned not built at $VPLANED"; exit 77; }
[ -x "$SIM" ] || { echo "vplane-sim not built (examples disabled)"; exit 77; }
command -v grim >/dev/null || { echo "grim not installed"; exit 77; }
mkdir -p "$R"

export XDG_RUNTIME_DIR=/tmp/vp-xdg-$test
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
export WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
SOCK=vplaned-$test
vp_pid=
sim_pid=
seatd_pid=
uuid=

cleanup() {
	[ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true
	[ -z "$vp_pid" ] || kill "$vp_pid" 2>/dev/null || true
	[ -z "$seatd_pid" ] || kill "$seatd_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	[ -z "$uuid" ] || [ ! -e "/sys/bus/mdev/devices/$uuid" ] ||
		echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; [ ! -f "$R/vplaned.log" ] || tail -n 30 "$R/vplaned.log"; exit 1; }

make_vgpu() {
	vp_load_vfio
	vp_insmod "$VPLANE_MODULES/vplane.ko"
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "$uuid" >/sys/class/mdev_bus/vplane/mdev_supported_types/vplane-1head/create
}

# start_vplaned ARGS...: in the background, wait for its socket
start_vplaned() {
	"$VPLANED" --socket "$SOCK" "$@" >"$R/vplaned.log" 2>&1 &
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

# wait_log PATTERN [SECONDS]
wait_log() {
	for _ in $(seq $((${2:-20} * 5))); do
		grep -q "$1" "$R/vplaned.log" && return 0
		sleep 0.2
	done
	fail "no '$1' in vplaned's log"
}

capture() { WAYLAND_DISPLAY=$SOCK timeout 30 grim -t ppm "$1"; }

# counters vplaned logs at exit: "vGPU U: events .. acks N ack_timeouts N flips N"
stat_of() { sed -n "s/.*vGPU .*: events.* $1 \([0-9]*\).*/\1/p" "$R/vplaned.log" | tail -n 1; }

case $test in
headless)
	make_vgpu
	start_vplaned --backend headless --vgpu "$uuid" ${VPLANED_DEBUG:+--verbose}
	"$SIM" --uuid "$uuid" --mode 320x240 --rate 10 --frames 3000 --no-cursor \
		--quiet >"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_log "direct scanout of"
	frames=""
	for i in 1 2 3; do
		sleep 1
		capture "$R/cap$i.ppm" || fail "grim failed"
		out=$($CHECK "$R/cap$i.ppm") || fail "capture $i: $out"
		echo "# capture $i: $out"
		frames="$frames $(echo "$out" | sed -n 's/^frame \([0-9]*\):.*/\1/p')"
	done
	kill -TERM "$sim_pid"	# it stops, prints its summary, exits 0
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	cat "$R/sim.log"
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest saw flip-done timeouts"
	[ "$(echo $frames | tr ' ' '\n' | sort -u | wc -l)" = 3 ] ||
		fail "captures did not advance: frames$frames"
	stop_vplaned
	acks=$(stat_of acks) timeouts=$(stat_of ack_timeouts) flips=$(stat_of flips)
	echo "# headless: frames$frames captured pixel-exact; flips $flips acks $acks ack timeouts $timeouts"
	grep 'HEADLESS-1: gone after\|CPU mapping' "$R/vplaned.log" | sed 's/^.*\] /# /'
	[ "$timeouts" = 0 ] || fail "$timeouts ack timeouts"
	[ "${acks:-0}" -ge $((${flips:-0} - 2)) ] && [ "${acks:-0}" -ge 20 ] ||
		fail "only ${acks:-0} acks for ${flips:-0} flips"
	;;
kiosk)
	vp_load_vkms
	card=
	for c in /sys/class/drm/card[0-9]*; do
		case $(readlink -f "$c/device") in */vkms*) ;; *) continue ;; esac
		[ -e "/dev/dri/$(basename "$c")" ] &&
			card=/dev/dri/$(basename "$c") && break
	done
	[ -n "$card" ] || fail "no vkms card"
	minor=${card#/dev/dri/card}
	make_vgpu
	seatd -u root >"$R/seatd.log" 2>&1 &
	seatd_pid=$!
	sleep 1
	export LIBSEAT_BACKEND=seatd WLR_DRM_DEVICES=$card
	start_vplaned --backend drm --vgpu "$uuid"
	"$SIM" --uuid "$uuid" --mode 1024x768 --rate 4 --frames 40 --no-cursor \
		--quiet >"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_log "direct scanout of" 30
	sleep 1
	drm_info -j >"$R/drm_info.json"
	python3 - "$R/drm_info.json" <<'PY' || fail "drm_info: primary plane not showing a 1024x768 framebuffer"
import json, sys
d = json.load(open(sys.argv[1]))
dev = d[next(iter(d))] if isinstance(d, dict) and 'planes' not in d else d
for p in dev['planes']:
    fb = p.get('fb')
    if p['crtc_id'] and fb and p['properties']['type']['value'] == 1:
        print('# primary plane %d: FB %d %dx%d pitch %s' % (p['id'], fb['id'], fb['width'], fb['height'],
              [q['pitch'] for q in fb.get('planes', [])]))
        sys.exit(0 if (fb['width'], fb['height']) == (1024, 768) else 1)
sys.exit(1)
PY
	crc=/sys/kernel/debug/dri/$minor/crtc-0/crc
	echo auto >"$crc/control"
	timeout 3 cat "$crc/data" >"$R/crc.txt" || true
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	cat "$R/sim.log"
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest saw flip-done timeouts"
	stop_vplaned
	n=$(wc -l <"$R/crc.txt")
	distinct=$(awk '{print $2}' "$R/crc.txt" | uniq | wc -l)
	maxrun=$(awk '{ if ($2 == last) run++; else run = 1; if (run > max) max = run; last = $2 } END { print max + 0 }' "$R/crc.txt")
	direct=$(sed -n 's/.*gone after \([0-9]*\) direct and \([0-9]*\) composited.*/\1/p' "$R/vplaned.log" | head -n 1)
	comp=$(sed -n 's/.*gone after \([0-9]*\) direct and \([0-9]*\) composited.*/\2/p' "$R/vplaned.log" | head -n 1)
	maps=$(sed -n 's/.*vplaned: \([0-9]*\) CPU mapping.*/\1/p' "$R/vplaned.log")
	acks=$(stat_of acks) timeouts=$(stat_of ack_timeouts) flips=$(stat_of flips)
	echo "# kiosk: $n CRCs in 3 s, $distinct changes, longest stable run $maxrun; $direct direct / $comp composited frames, $maps CPU maps; flips $flips acks $acks ack timeouts $timeouts"
	[ "$n" -ge 30 ] || fail "only $n CRC lines"
	[ "$distinct" -ge 5 ] || fail "CRC changed only $distinct times while the guest flipped at 4 Hz"
	[ "$maxrun" -ge 5 ] || fail "CRC never stable between flips"
	[ "${direct:-0}" -ge 10 ] || fail "only ${direct:-0} direct scanout frames"
	[ "$maps" = 0 ] || fail "vplaned mapped vGPU pixels $maps times on the direct path"
	[ "$timeouts" = 0 ] || fail "$timeouts ack timeouts"
	;;
remove)
	make_vgpu
	start_vplaned --backend headless --vgpu "$uuid"
	"$SIM" --uuid "$uuid" --mode 320x240 --rate 10 --no-cursor --quiet \
		>"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_log "direct scanout of"
	sleep 1
	kill -TERM "$sim_pid"; wait "$sim_pid" || true; sim_pid=
	echo 1 >"/sys/bus/mdev/devices/$uuid/remove"
	uuid_gone=$uuid; uuid=
	wait_log "was removed"
	kill -0 "$vp_pid" || fail "vplaned died when its vGPU was removed"
	sleep 0.5
	capture "$R/after.ppm" || fail "grim failed after removal"
	out=$($CHECK "$R/after.ppm" --black) || fail "after removal: $out"
	echo "# after removal: vplaned alive, output $out"
	stop_vplaned
	grep -q "^dmabufs 0$" /sys/kernel/debug/vplane/stats ||
		fail "dma-bufs left: $(cat /sys/kernel/debug/vplane/stats)"
	;;
errors)
	rc=0; "$VPLANED" --bogus 2>"$R/err.txt" || rc=$?
	[ "$rc" = 2 ] && grep -q "unknown option '--bogus'" "$R/err.txt" || fail "bad option: rc $rc $(cat "$R/err.txt")"
	rc=0; "$VPLANED" --backend nope 2>"$R/err.txt" || rc=$?
	[ "$rc" = 2 ] && grep -q "unknown --backend 'nope'" "$R/err.txt" || fail "bad backend: rc $rc"
	# a missing node: logged, the server runs on
	start_vplaned --backend headless --vgpu 00000000-0000-0000-0000-000000000bad
	wait_log "cannot open its display node.*No such file"
	grep -h 'cannot open' "$R/vplaned.log" | sed 's/^.*\] /# /'
	stop_vplaned
	# permission denied: a user outside the node's group
	make_vgpu
	d=/tmp/vp-xdg-nobody; mkdir -p "$d"; chown 65534:65534 "$d"; chmod 700 "$d"
	XDG_RUNTIME_DIR=$d setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VPLANED" --backend headless --vgpu "$uuid" --socket nobody \
		>"$R/vplaned.log" 2>&1 &
	vp_pid=$!
	wait_log "Permission denied"
	grep -h 'cannot open' "$R/vplaned.log" | sed 's/^.*\] /# /'
	kill -0 "$vp_pid" || fail "vplaned exited on EACCES"
	stop_vplaned
	;;
*)
	echo "unknown test $test"; exit 2 ;;
esac
echo "ok"
