#!/bin/bash
# vplaned in the VM: server.sh headless|kiosk|wayvnc|hotplug|restart|remove|errors
# vplaned shows a vGPU driven by examples' vplane-sim (guest + VMM in one
# process); captures, CRCs and counters are checked here.
set -e
test=$1
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
command -v grim >/dev/null || { echo "grim not installed"; exit 77; }

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
	maps=$(map_count)
	acks=$(stat_of acks) timeouts=$(stat_of ack_timeouts) flips=$(stat_of flips)
	echo "# kiosk: $n CRCs in 3 s, $distinct changes, longest stable run $maxrun; $direct direct / $comp composited frames, $maps CPU maps; flips $flips acks $acks ack timeouts $timeouts"
	[ "$n" -ge 30 ] || fail "only $n CRC lines"
	[ "$distinct" -ge 5 ] || fail "CRC changed only $distinct times while the guest flipped at 4 Hz"
	[ "$maxrun" -ge 5 ] || fail "CRC never stable between flips"
	[ "${direct:-0}" -ge 10 ] || fail "only ${direct:-0} direct scanout frames"
	[ "$maps" = 0 ] || fail "vplaned mapped vGPU pixels $maps times on the direct path"
	[ "$timeouts" = 0 ] || fail "$timeouts ack timeouts"
	;;
wayvnc)
	# a VNC session on the guest's loopback against vplaned's headless
	# output; one frame grabbed losslessly (gvnccapture writes a PNG) must
	# equal the simulator's frame pixel for pixel. (vncsnapshot speaks
	# RFB 3.3 only, which wayvnc's neatvnc refuses.)
	for t in wayvnc gvnccapture ss; do
		command -v $t >/dev/null || { echo "$t not installed"; exit 77; }
	done
	make_vgpu
	start_vplaned --backend headless --vgpu "$uuid"
	"$SIM" --uuid "$uuid" --mode 320x240 --rate 10 --no-cursor --quiet \
		>"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_log "direct scanout of"
	WAYLAND_DISPLAY=$SOCK wayvnc --disable-input ${VNC_DEBUG:+-L debug} \
		127.0.0.1 5900 >"$R/wayvnc.log" 2>&1 &
	vnc_pid=$!
	extra_pids=$vnc_pid
	for _ in $(seq 100); do
		ss -ltn | grep -q '127.0.0.1:5900 ' && break
		kill -0 "$vnc_pid" 2>/dev/null || fail "wayvnc exited: $(cat "$R/wayvnc.log")"
		sleep 0.2
	done
	timeout 60 gvnccapture 127.0.0.1:0 "$R/vnc.png" >"$R/gvnccapture.log" 2>&1 ||
		fail "gvnccapture: $(cat "$R/gvnccapture.log" "$R/wayvnc.log")"
	out=$($CHECK "$R/vnc.png") || fail "VNC frame: $out"
	echo "# wayvnc: gvnccapture of HEADLESS-1: $out"
	kill -TERM "$vnc_pid"; wait "$vnc_pid" || true
	extra_pids=
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest saw flip-done timeouts"
	stop_vplaned
	;;
hotplug)
	# --all-vgpus: a vGPU created after start is shown (pixel-exact),
	# dropped when removed, and the next one is shown again
	vp_load_vplane
	start_vplaned --backend headless --all-vgpus
	wait_log "watching /dev/vplane for vGPUs"
	for round in 1 2; do
		uuid=$(new_vgpu) || fail "cannot create a vGPU"
		wait_log "vGPU $uuid appeared"
		wait_log "HEADLESS-$round shows vGPU head $uuid/0"
		"$SIM" --uuid "$uuid" --mode 320x240 --rate 10 --no-cursor \
			--quiet >"$R/sim$round.log" 2>&1 &
		sim_pid=$!
		wait_log "HEADLESS-$round: direct scanout of $uuid/0" 30
		sleep 0.5
		capture -o "HEADLESS-$round" "$R/cap$round.ppm" || fail "grim failed"
		out=$($CHECK "$R/cap$round.ppm") || fail "round $round: $out"
		echo "# hotplug round $round: HEADLESS-$round $out"
		kill -TERM "$sim_pid"
		wait "$sim_pid" || fail "simulator: $(cat "$R/sim$round.log")"
		sim_pid=
		grep -q ' 0 timeouts' "$R/sim$round.log" || fail "round $round: flip-done timeouts"
		remove_vgpu "$uuid"; uuid=
		wait_log "disappeared; dropping it" 20 "$round"
		wait_log "HEADLESS-$round: gone after"
		kill -0 "$vp_pid" || fail "vplaned died when its vGPU was removed"
	done
	[ "$(grep -c 'output HEADLESS' "$R/vplaned.log")" = 2 ] ||
		fail "expected exactly 2 outputs over the run"
	stop_vplaned
	vp_check_no_leaks || fail "vplane objects leaked"
	;;
restart)
	# consumer restart: vplaned SIGKILLed and started again while the
	# guest flips; the guest never stalls a second, the new vplaned shows
	# the current frame, nothing leaks
	make_vgpu
	start_vplaned --backend headless --vgpu "$uuid"
	"$SIM" --uuid "$uuid" --mode 320x240 --rate 10 --no-cursor --quiet \
		>"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_log "direct scanout of"
	sleep 1
	kill -KILL "$vp_pid"; wait "$vp_pid" 2>/dev/null || true; vp_pid=
	sleep 1.5	# the guest flips with no consumer
	kill -0 "$sim_pid" || fail "the simulator stopped without vplaned: $(cat "$R/sim.log")"
	start_vplaned --backend headless --vgpu "$uuid"
	wait_log "direct scanout of" 20 2
	[ "$(grep -c 'head(s), ack role' "$R/vplaned.log")" = 2 ] ||
		fail "the new vplaned did not get the ack role"
	for i in 1 2; do
		sleep 0.5
		capture "$R/cap$i.ppm" || fail "grim failed"
		out=$($CHECK "$R/cap$i.ppm") || fail "after restart: $out"
		echo "# after restart, capture $i: $out"
	done
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	cat "$R/sim.log"
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest stalled (flip-done timeouts)"
	stop_vplaned
	remove_vgpu "$uuid"; uuid=
	vp_check_no_leaks || fail "vplane objects leaked"
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
