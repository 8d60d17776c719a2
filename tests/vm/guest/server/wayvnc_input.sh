#!/bin/bash
# SPDX-License-Identifier: MIT
# wayvnc_input.sh: a VNC client's keys and clicks reach a vGPU's evdev
# devices through the real wayvnc 0.5 (with input) on vplaned's control
# socket, vplaned's virtual keyboard and pointer and its input core.
# Two 1-head vGPUs, 320x240 and 1024x768 (vplane-sim as their guests);
# vp-evdev-grab holds their keyboard and pointers grabbed as QEMU does.
#  - the public socket offers no seat and no virtual keyboard or pointer
#    (wayland-info), and wayvnc without --disable-input refuses it;
#  - wayvnc on the control socket capturing the 1024x768 head's output:
#    rfb_input.py (an RFB 3.8 client) types and clicks; the exact key
#    codes arrive on that vGPU's keyboard, the exact ABS value of the
#    clicked head pixel on its pointer (mapped back: the same pixel),
#    the wheel; nothing reaches the other vGPU;
#  - the RFB client killed mid-keypress: the key is released (wayvnc
#    0.5 does not say when a VNC client goes: vplaned's idle release).
set -e
test=wayvnc-input
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
GRAB=$VPLANE_BUILD/tests/vm/vp-evdev-grab
RFB="python3 $VPLANE_SRC/tests/vm/guest/server/rfb_input.py --port 5900"
[ -x "$GRAB" ] || { echo "vp-evdev-grab not built"; exit 77; }
for t in wayvnc wayland-info ss; do
	command -v $t >/dev/null || { echo "$t not installed"; exit 77; }
done
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
wait_listed "^  $u2/0: 1024x768@.*, on "
out2=$(ctl list | sed -n "s|^  $u2/0: .*, on \([^ ]*\) at .*|\1|p")
[ -n "$out2" ] || fail "no output shows $u2/0"

: >"$EV"
"$GRAB" "vplane/$u1/kbd" "vplane/$u1/head0" "vplane/$u2/kbd" \
	"vplane/$u2/head0" >"$EV" 2>"$R/grab.err" &
extra_pids="$extra_pids $!"
wait_for "vp-evdev-grab not ready: $(cat "$R/grab.err")" 20 \
	grep -q '^ready$' "$EV"

# ---- the public socket: capture only ----
WAYLAND_DISPLAY=$SOCK timeout 20 wayland-info >"$R/public.txt" 2>&1 ||
	fail "wayland-info on the public socket: $(cat "$R/public.txt")"
WAYLAND_DISPLAY=$SOCK-control timeout 20 wayland-info >"$R/control.txt" 2>&1 ||
	fail "wayland-info on the control socket: $(cat "$R/control.txt")"
for g in wl_seat zwp_virtual_keyboard_manager_v1 zwlr_virtual_pointer_manager_v1; do
	! grep -q "'$g'" "$R/public.txt" || fail "the public socket offers $g"
	grep -q "'$g'" "$R/control.txt" || fail "the control socket lacks $g"
done
rc=0
WAYLAND_DISPLAY=$SOCK timeout 20 wayvnc 127.0.0.1 5901 >"$R/wayvnc-public.log" 2>&1 || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] &&
	grep -q "protocol not supported" "$R/wayvnc-public.log" ||
	fail "wayvnc with input on the public socket: rc $rc $(cat "$R/wayvnc-public.log")"
echo "# public socket: no input globals; wayvnc with input refused: $(grep -m1 'not supported' "$R/wayvnc-public.log")"

# ---- wayvnc with input on the control socket ----
WAYLAND_DISPLAY=$SOCK-control wayvnc -o "$out2" 127.0.0.1 5900 \
	>"$R/wayvnc.log" 2>&1 &
vnc_pid=$!
extra_pids="$extra_pids $vnc_pid"
for _ in $(seq 100); do
	ss -ltn | grep -q '127.0.0.1:5900 ' && break
	kill -0 "$vnc_pid" 2>/dev/null || fail "wayvnc exited: $(cat "$R/wayvnc.log")"
	sleep 0.2
done
ss -ltn | grep -q '127.0.0.1:5900 ' || fail "wayvnc not listening: $(cat "$R/wayvnc.log")"

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
$want
(wayvnc: $(tail -n 5 "$R/wayvnc.log"))"
	seen=$((seen + n))
}
rfb() { timeout 60 $RFB "$@" >>"$R/rfb.log" 2>&1 || fail "rfb_input.py $*: $(tail -n 3 "$R/rfb.log")"; }

# keys: Shift_L around capitals and symbols as a VNC viewer sends them;
# a chord; all on the captured head's vGPU (u2), none on u1
rfb 'type:Hi!' key:Control_L+Alt_L+F2 key:Return
expect "typed Hi! ctrl+alt+f2 enter" \
	"$u2/kbd 1 42 1" "$u2/kbd 1 35 1" "$u2/kbd 1 35 0" "$u2/kbd 1 42 0" \
	"$u2/kbd 1 23 1" "$u2/kbd 1 23 0" \
	"$u2/kbd 1 42 1" "$u2/kbd 1 2 1" "$u2/kbd 1 2 0" "$u2/kbd 1 42 0" \
	"$u2/kbd 1 29 1" "$u2/kbd 1 56 1" "$u2/kbd 1 60 1" \
	"$u2/kbd 1 60 0" "$u2/kbd 1 56 0" "$u2/kbd 1 29 0" \
	"$u2/kbd 1 28 1" "$u2/kbd 1 28 0"
echo "# VNC keys: exact, on $u2/kbd"

# clicks at head pixels (the output is the head: headless), in one VNC
# session; wayvnc moves only when the position changes, so (0, 0) comes
# last; then the wheel: one step down (REL_WHEEL_HI_RES = 11,
# REL_WHEEL = 8) at (700, 300)
w=1024 h=768
clicks=("1023 767" "512 384" "1022 1" "0 0")
args=() want=()
for xy in "${clicks[@]}"; do
	set -- $xy
	args+=("click:$1,$2")
	want+=("$u2/head0 3 0 $(( (2 * $1 + 1) * 32768 / (2 * w) ))"
		"$u2/head0 3 1 $(( (2 * $2 + 1) * 32768 / (2 * h) ))"
		"$u2/head0 1 272 1" "$u2/head0 1 272 0")
done
rfb "${args[@]}" move:700,300 wheel:down
expect "clicks, move and wheel down" "${want[@]}" \
	"$u2/head0 3 0 $(( 1401 * 32768 / 2048 ))" \
	"$u2/head0 3 1 $(( 601 * 32768 / 1536 ))" \
	"$u2/head0 2 11 -120" "$u2/head0 2 8 -1"
# each ABS value maps back to the clicked pixel (the guest's
# floor(v * size / 32768))
i=0
for xy in "${clicks[@]}"; do
	set -- $xy
	vx=$(echo "${want[$((4 * i))]}" | awk '{ print $4 }')
	vy=$(echo "${want[$((4 * i + 1))]}" | awk '{ print $4 }')
	[ $((vx * w / 32768)) = "$1" ] && [ $((vy * h / 32768)) = "$2" ] ||
		fail "ABS $vx,$vy is not pixel $1,$2 of ${w}x$h"
	echo "# VNC click $1,$2 of ${w}x$h: ABS $vx,$vy (pixel $1,$2)"
	i=$((i + 1))
done
echo "# VNC wheel: exact"

# the RFB client goes mid-keypress (KEY_A = 30): released
$RFB down:a pause >"$R/rfb-pause.log" 2>&1 &
rfb_pid=$!
extra_pids="$extra_pids $rfb_pid"
expect "a pressed" "$u2/kbd 1 30 1"
t_press=$(tail -n 1 "$EV" | awk '{ print $5 }')
kill -KILL "$rfb_pid"
wait "$rfb_pid" 2>/dev/null || true
expect "a released after the VNC client went" "$u2/kbd 1 30 0"
t_release=$(tail -n 1 "$EV" | awk '{ print $5 }')
grep -q "released them (wayvnc 0.5" "$R/vplaned.log" ||
	fail "vplaned did not log the idle release"
held=$(echo "$t_press $t_release" | awk '{ printf "%.1f", $2 - $1 }')
echo "# VNC client killed mid-keypress: released $held s after the press"
# by the idle release (5 s after the client's last event), not earlier
awk -v d="$held" 'BEGIN { exit !(d >= 4.9) }' ||
	fail "released $held s after the press: not by the idle release"

# nothing reached the other vGPU's devices
! grep -q "^vplane/$u1/" "$EV" || fail "events on $u1: $(grep "^vplane/$u1/" "$EV")"
kill -0 "$vnc_pid" || fail "wayvnc died: $(cat "$R/wayvnc.log")"
kill -TERM "$vnc_pid"
wait "$vnc_pid" 2>/dev/null || true
stop_vplaned
grep "VNC client" "$R/vplaned.log" | sed 's/^/# vplaned: /'
echo "PASS: server-$test"
