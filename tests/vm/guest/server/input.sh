#!/bin/bash
# SPDX-License-Identifier: MIT
# input.sh exact|latency: vplanectl's input reaching a vGPU's evdev devices through
# vplaned's input core and the real driver. Two 1-head vGPUs, 320x240
# and 1024x768 (vplane-sim as their guests); vp-evdev-grab holds their
# keyboard and pointer grabbed as QEMU does and prints what arrives.
#  - nothing grabbed: vplanectl key is refused with a clear reason;
#  - key chords, typed text (US layout) and the wheel arrive exactly;
#  - a click at (x, y) arrives at the ABS value whose guest pixel
#    floor(v * size / 32768) is (x, y), corners and middle, both sizes;
#    a position outside the mode is refused and sends nothing;
#  - vplanectl hold, then SIGTERM: vplaned releases the key;
#  - vplanectl hold, then vplaned SIGKILL: the driver releases it;
#  - a restarted vplaned injects into the same, still grabbed devices;
# input.sh latency: vplanectl key (process start) to the evdev event,
#    p50/p99 over INPUT_LATENCY_N presses (default 20).
set -e
mode=${1:-exact}
test=input-$mode
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
GRAB=$VPLANE_BUILD/tests/vm/vp-evdev-grab
[ -x "$GRAB" ] || { echo "vp-evdev-grab not built"; exit 77; }
EV=$R/events.txt

vp_modprobe evdev
vp_load_vplane
u1=$(new_vgpu) || fail "cannot create a vGPU"
uuids="$u1"
u2=$(new_vgpu) || fail "cannot create a vGPU"
uuids="$u1 $u2"
start_vplaned --backend headless --vgpu "$u1" --vgpu "$u2"
for u in "$u1:320x240" "$u2:1024x768"; do
	"$SIM" --uuid "${u%%:*}" --mode "${u#*:}" --rate 5 --no-cursor --quiet \
		>"$R/sim-${u%%:*}.log" 2>&1 &
	extra_pids="$extra_pids $!"
done
wait_listed "^  $u1/0: 320x240@"
wait_listed "^  $u2/0: 1024x768@"

start_grab() {
	: >"$EV"
	"$GRAB" "vplane/$u1/kbd" "vplane/$u1/head0" "vplane/$u2/kbd" \
		"vplane/$u2/head0" >"$EV" 2>"$R/grab.err" &
	grab_pid=$!
	extra_pids="$extra_pids $grab_pid"
	wait_for "vp-evdev-grab not ready: $(cat "$R/grab.err")" 20 \
		grep -q '^ready$' "$EV"
}
# no VMM holds the devices: refused, and said why
if [ "$mode" = exact ]; then
	rc=0; ctl key "$u1" a >/dev/null 2>"$R/err.txt" || rc=$?
	[ "$rc" = 1 ] && grep -q "no VMM holds" "$R/err.txt" ||
		fail "key without a grab: rc $rc $(cat "$R/err.txt")"
	sed 's/^/# not grabbed: /' "$R/err.txt"
fi
start_grab

# expect WHAT LINE...: the next events (after $seen) are LINEs, each
# "PHYS TYPE CODE VALUE" (phys without "vplane/"), in this order
seen=1
expect() {
	local what=$1 want got n
	shift
	want=$(printf '%s\n' "$@")
	n=$#
	for _ in $(seq 100); do
		[ "$(wc -l <"$EV")" -ge $((seen + n)) ] && break
		sleep 0.2
	done
	got=$(tail -n +$((seen + 1)) "$EV" | head -n "$n" |
		awk '{ sub("^vplane/", "", $1); print $1, $2, $3, $4 }')
	[ "$got" = "$want" ] || fail "$what: got
$got
want
$want"
	seen=$((seen + n))
}

# ---- input.sh exact ----
if [ "$mode" = exact ]; then
# key chords: pressed in order, released in reverse (EV_KEY = 1)
ctl key "$u1" ctrl+alt+f2 enter || fail "vplanectl key"
expect "ctrl+alt+f2 enter" \
	"$u1/kbd 1 29 1" "$u1/kbd 1 56 1" "$u1/kbd 1 60 1" \
	"$u1/kbd 1 60 0" "$u1/kbd 1 56 0" "$u1/kbd 1 29 0" \
	"$u1/kbd 1 28 1" "$u1/kbd 1 28 0"
# text: shift (42) around capitals and symbols; the other vGPU's keyboard
ctl type "$u2" 'Hi!' || fail "vplanectl type"
expect "type Hi!" \
	"$u2/kbd 1 42 1" "$u2/kbd 1 35 1" "$u2/kbd 1 35 0" "$u2/kbd 1 42 0" \
	"$u2/kbd 1 23 1" "$u2/kbd 1 23 0" \
	"$u2/kbd 1 42 1" "$u2/kbd 1 2 1" "$u2/kbd 1 2 0" "$u2/kbd 1 42 0"
echo "# key and type: exact"

# click X Y: EV_ABS (3) X and Y, then BTN_LEFT (0x110 = 272) down and up;
# the value must be the guest's pixel under floor(v * size / 32768)
click_at() { # UUID W H X Y
	local u=$1 w=$2 h=$3 x=$4 y=$5 vx vy
	ctl click "$u" "$x" "$y" || fail "vplanectl click $x $y on ${w}x$h"
	vx=$(( (2 * x + 1) * 32768 / (2 * w) ))
	vy=$(( (2 * y + 1) * 32768 / (2 * h) ))
	expect "click $x,$y on ${w}x$h" "$u/head0 3 0 $vx" "$u/head0 3 1 $vy" \
		"$u/head0 1 272 1" "$u/head0 1 272 0"
	[ $((vx * w / 32768)) = "$x" ] && [ $((vy * h / 32768)) = "$y" ] ||
		fail "ABS $vx,$vy is not pixel $x,$y of ${w}x$h"
	echo "# click $x,$y of ${w}x$h: ABS $vx,$vy"
}
for xy in "0 0" "319 239" "160 120" "1 238"; do
	click_at "$u1" 320 240 $xy
done
for xy in "0 0" "1023 767" "512 384" "1022 1"; do
	click_at "$u2" 1024 768 $xy
done
# outside the mode: refused, nothing sent
rc=0; ctl click "$u1" 320 0 2>"$R/err.txt" || rc=$?
[ "$rc" = 1 ] || fail "click at 320,0 of 320x240: rc $rc"
sed 's/^/# click 320,0: /' "$R/err.txt"
ctl click "$u1" 0 0 right || fail "click right"
expect "right click after a refused one" "$u1/head0 3 0 51" "$u1/head0 3 1 68" \
	"$u1/head0 1 273 1" "$u1/head0 1 273 0"
# wheel: hi-res (REL_WHEEL_HI_RES = 11), then each whole detent
# (REL_WHEEL = 8) in a report of its own (QEMU's input-linux makes one
# wheel step of a report, whatever its value)
ctl wheel "$u2" -2 || fail "vplanectl wheel"
expect "wheel -2" "$u2/head0 2 11 -240" "$u2/head0 2 8 -1" "$u2/head0 2 8 -1"

# held, then vplanectl goes: vplaned releases (KEY_A = 30)
ctl hold "$u1" shift+a >"$R/hold.txt" 2>&1 &
hold_pid=$!
expect "hold shift+a" "$u1/kbd 1 42 1" "$u1/kbd 1 30 1"
kill -TERM "$hold_pid"
wait "$hold_pid" 2>/dev/null || true
expect "release when the holder goes" "$u1/kbd 1 30 0" "$u1/kbd 1 42 0"
echo "# hold, then vplanectl stopped: released by vplaned"

# held, then vplaned is killed: the driver releases when its fd closes
ctl hold "$u2" b >"$R/hold.txt" 2>&1 &
hold_pid=$!
expect "hold b" "$u2/kbd 1 48 1"
kill -KILL "$vp_pid"
wait "$vp_pid" 2>/dev/null || true
vp_pid=
expect "release by the driver after SIGKILL" "$u2/kbd 1 48 0"
wait "$hold_pid" 2>/dev/null || true
echo "# hold, then vplaned SIGKILL: released by the driver"

# a new vplaned injects into the same devices, still grabbed by the VMM
start_vplaned --backend headless --vgpu "$u1" --vgpu "$u2"
wait_listed "^  $u1/0: 320x240@"
ctl key "$u1" z || fail "vplanectl key after the restart"
expect "key after the restart" "$u1/kbd 1 44 1" "$u1/kbd 1 44 0"
kill -0 "$grab_pid" || fail "vp-evdev-grab lost its devices"
echo "# vplaned restarted: input reaches the same devices"

fi

# ---- input.sh latency ----
if [ "$mode" = latency ]; then
# latency: from starting vplanectl to the key-down's kernel timestamp
# (both CLOCK_REALTIME); the events are read once all presses are made
n=${INPUT_LATENCY_N:-20}
: >"$R/t0.txt"
for _ in $(seq "$n"); do
	date +%s.%N >>"$R/t0.txt"
	ctl key "$u1" x || fail "vplanectl key (latency)"
done
want=()
for _ in $(seq "$n"); do want+=("$u1/kbd 1 45 1" "$u1/kbd 1 45 0"); done
expect "$n latency keys" "${want[@]}"
tail -n $((2 * n)) "$EV" | awk '$4 == 1 { print $5 }' |
	paste "$R/t0.txt" - | awk '{
		split($1, a, "."); split($2, b, ".");
		printf "%d\n", (b[1] - a[1]) * 1000000 + substr(b[2], 1, 6) - substr(a[2], 1, 6) }' |
	sort -n >"$R/latency.txt"
awk -v n="$n" '{ v[NR] = $1 } END {
	printf "# latency vplanectl key -> evdev key-down, %d presses: p50 %.1f ms p99 %.1f ms max %.1f ms\n",
		n, v[int((n + 1) / 2)] / 1000, v[int((n - 1) * 0.99) + 1] / 1000, v[n] / 1000 }' "$R/latency.txt"

fi

stop_vplaned
echo "PASS: server-$test"
