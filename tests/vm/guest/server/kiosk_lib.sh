#!/bin/bash
# Helpers of the kiosk tests (vplaned --backend drm on vkms): source after
# server_lib.sh. vkms's CRC is the oracle: what vplaned puts on screen is
# compared with the CRC of the expected pixels shown through a dumb
# buffer (vp-scanout-expect).
EXPECT=$VPLANE_BUILD/tests/vm/guest/server/vp-scanout-expect

# kiosk_setup: vkms, a vGPU ($uuid, made here) and seatd, with wlroots
# told to use vkms; sets card, crc (its debugfs CRC directory)
kiosk_setup() {
	local c
	vp_load_vkms
	card=
	for c in /sys/class/drm/card[0-9]*; do
		case $(readlink -f "$c/device") in */vkms*) ;; *) continue ;; esac
		[ -e "/dev/dri/$(basename "$c")" ] &&
			card=/dev/dri/$(basename "$c") && break
	done
	[ -n "$card" ] || fail "no vkms card"
	crc=/sys/kernel/debug/dri/${card#/dev/dri/card}/crtc-0/crc
	make_vgpu
	seatd -u root >"$R/seatd.log" 2>&1 &
	seatd_pid=$!
	sleep 1
	export LIBSEAT_BACKEND=seatd WLR_DRM_DEVICES=$card
}

# kiosk_seat: the kiosk's seat as on a host: evdev and uinput, and the
# real systemd-udevd, which tags the uinput devices the tests make for
# libinput, with the driver's rule (the vGPUs' devices are the VMMs',
# never the seat's); udevd stops at exit
kiosk_seat() {
	vp_modprobe evdev
	vp_modprobe uinput
	vp_udevd "$R/udevd.log" || fail "systemd-udevd did not start"
	trap 'cleanup; udevadm control --exit || true' EXIT
}

# kiosk_hold UUID:MODE...: a simulator per vGPU draws 8 frames of MODE
# and holds the last (extra_pids); waits until each holds it
kiosk_hold() {
	local u
	for u in "$@"; do
		"$SIM" --uuid "${u%%:*}" --mode "${u#*:}" --frames 8 --hold \
			--rate 4 --no-cursor >"$R/sim-${u#*:}.log" 2>&1 &
		extra_pids="$extra_pids $!"
	done
	for u in "$@"; do
		wait_for "the ${u#*:} simulator holds no frame: $(cat "$R/sim-${u#*:}.log")" \
			90 grep -q "holding frame" "$R/sim-${u#*:}.log"
	done
}

# kiosk_start [VPLANED-ARGS...]: kiosk_setup, then vplaned on vkms
# showing $uuid
kiosk_start() {
	kiosk_setup
	start_vplaned --backend drm --vgpu "$uuid" "$@"
	# its socket exists before the backend starts (libinput reads its
	# quirks files, seconds over the VM's 9p root): a guest started now
	# could run its first mode before vplaned looks
	wait_listed "^vGPU $uuid: "
}

# wait_sim_log PATTERN [SECONDS]: until the simulator's log has PATTERN
wait_sim_log() {
	for _ in $(seq $((${2:-30} * 5))); do
		grep -q "$1" "$R/sim.log" && return 0
		kill -0 "$sim_pid" 2>/dev/null || fail "simulator exited: $(cat "$R/sim.log")"
		sleep 0.2
	done
	fail "no '$1' from the simulator"
}

# crc_records OUT SECONDS MIN: vkms's CRC records (one per composed
# vblank: "frame crc" lines) for at least SECONDS and until MIN arrived,
# 30 s at most; a loaded TCG host composes far fewer than 60 a second
crc_records() {
	echo auto >"$crc/control"
	timeout 40 python3 - "$crc/data" "$2" "$3" >"$1" <<'PY' || true
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
secs, least = float(sys.argv[2]), int(sys.argv[3])
start, lines, buf = time.monotonic(), [], b''
while time.monotonic() - start < 30:
    if len(lines) >= least and time.monotonic() - start >= secs:
        break
    buf += os.read(fd, 4096)  # blocks until the next record
    *done, buf = buf.replace(b'\0', b'').split(b'\n')
    lines += [l.decode() for l in done if l]
print('\n'.join(lines))
print('# %.1f s' % (time.monotonic() - start))
PY
}

# held_crc_check NAME: the simulator holds its last frame (--hold). The
# CRC vkms computes for vplaned's screen must equal the CRC of that frame
# drawn where vplaned puts it (vp-scanout-expect: 1:1 or integer scale,
# letterboxed on black) through a dumb buffer. Stops vplaned and the
# simulator (its summary must show no flip-done timeouts). vplaned's
# counters of the head just before it stops are in $R/stats-NAME.txt
# (kiosk_stat reads them).
held_crc_check() {
	local name=$1 shown expected
	sleep 1
	echo auto >"$crc/control"
	# eight whole records (each ends in a NUL)
	timeout $((15 * ${VPLANE_SLOWDOWN:-1})) sh -c \
		"tr -d '\\0' <'$crc/data' | head -n 8" >"$R/crc-$name.txt" || true
	[ "$(wc -l <"$R/crc-$name.txt")" -ge 8 ] ||
		fail "$name: vkms gave only $(wc -l <"$R/crc-$name.txt") CRCs in 15 s"
	shown=$(tail -n 5 "$R/crc-$name.txt" | awk '{print $2}' | sort -u)
	[ "$(echo "$shown" | wc -l)" = 1 ] && [ -n "$shown" ] ||
		fail "$name: vkms's CRC not stable on a held frame: $(tail -n 5 "$R/crc-$name.txt")"
	timeout 20 "$EXPECT" dump "$uuid" "$R/guest-$name.ppm" ||
		fail "$name: cannot read the guest's frame"
	save_stats "$uuid/0" "$R/stats-$name.txt"
	cp "$R/stats-$name.txt" "$R/stats-held.txt"
	stop_vplaned
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	grep -q ' 0 timeouts' "$R/sim.log" || fail "$name: the guest saw flip-done timeouts"
	timeout 30 "$EXPECT" crc "$R/guest-$name.ppm" >"$R/expect-$name.txt" ||
		fail "$name: cannot show the expected image: $(cat "$R/expect-$name.txt")"
	expected=$(sed -n 's/^crc //p' "$R/expect-$name.txt")
	sed -n 's/^# /# '"$name"': expected: /p' "$R/expect-$name.txt"
	echo "# $name: vplaned's screen CRC $shown, expected $expected"
	[ "$(printf '%d' "$shown")" = "$(printf '%d' "$expected")" ] ||
		fail "$name: vplaned's screen ($shown) is not the expected image ($expected)"
}

# kiosk_stat COUNTER: the head's COUNTER as held_crc_check saved it
kiosk_stat() { stat_in "$1" "$R/stats-held.txt"; }

# frames_of KIND: frames of the output showing the head, scanned out
# directly (direct) or composited, when held_crc_check stopped vplaned
frames_of() { kiosk_stat "output_frames_$1"; }

# kiosk_choices: vplaned's choices for the guest's buffers until
# held_crc_check stopped it, a line per run: "direct" (scanned out
# directly) or "composited" (direct scanout refused). The runs alternate,
# so their counts (output_direct_starts, output_direct_refusals) and the
# last choice (output_direct_now) give the order. False without them.
kiosk_choices() {
	local starts refusals now first n i
	starts=$(kiosk_stat output_direct_starts)
	refusals=$(kiosk_stat output_direct_refusals)
	now=$(kiosk_stat output_direct_now)
	[ -n "$starts" ] && [ -n "$refusals" ] || return 1
	n=$((starts + refusals))
	[ "$n" -gt 0 ] || return 0
	[ -n "$now" ] || return 1
	# the run before the last is the other choice, and so on back
	if [ $((n % 2)) = 1 ]; then first=$now; else first=$((1 - now)); fi
	# alternating, the runs that start with $first hold the direct ones
	[ $(((n + first) / 2)) = "$starts" ] || return 1
	for ((i = 0; i < n; i++)); do
		if [ $(((first + i) % 2)) = 1 ]; then echo direct; else echo composited; fi
	done
}
