#!/bin/bash
# vplaned --backend wayland: a second vplaned runs nested in the first
# (a desktop stand-in) and shows its vGPU in a window there. The parent
# shows vGPU A on a headless output; the child's window with vGPU B sits
# at its top-left, so a grim capture of that rectangle of the parent must
# be B's frame, pixel for pixel; the window follows B's mode.
set -e
test=nested
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
command -v grim >/dev/null || { echo "grim not installed"; exit 77; }

vp_load_vplane
a=$(new_vgpu) || fail "cannot create vGPU A"
uuids="$a"
b=$(new_vgpu) || fail "cannot create vGPU B"
uuids="$a $b"
start_vplaned --backend headless --vgpu "$a"
"$SIM" --uuid "$a" --mode 640x480 --rate 10 --no-cursor --quiet \
	>"$R/sim-a.log" 2>&1 &
extra_pids="$!"

WAYLAND_DISPLAY=$SOCK "$VPLANED" --socket "$SOCK-child" --backend wayland \
	--vgpu "$b" >"$R/child.log" 2>&1 &
child=$!
extra_pids="$extra_pids $child"
"$SIM" --uuid "$b" --mode 320x240 --rate 10 --no-cursor --quiet \
	>"$R/sim-b.log" 2>&1 &
extra_pids="$extra_pids $!"
for _ in $(seq 100); do
	grep -q "shows vGPU head $b/0" "$R/child.log" && break
	kill -0 "$child" 2>/dev/null || { cat "$R/child.log"; fail "the nested vplaned exited"; }
	sleep 0.2
done
grep -q "shows vGPU head $b/0" "$R/child.log" || { cat "$R/child.log"; fail "the nested vplaned shows no head"; }

frames=""
for i in 1 2 3; do
	sleep 1
	capture -g "0,0 320x240" "$R/cap$i.ppm" || fail "grim failed"
	out=$($CHECK "$R/cap$i.ppm") || { tail -n 20 "$R/child.log"; fail "capture $i: $out"; }
	echo "# capture $i (B in the nested window): $out"
	frames="$frames $(echo "$out" | sed -n 's/^frame \([0-9]*\):.*/\1/p')"
done
[ "$(echo $frames | tr ' ' '\n' | sort -u | wc -l)" = 3 ] ||
	fail "nested window did not advance: frames$frames"
kill -TERM "$child"
wait "$child" || fail "the nested vplaned exited with $?"
kill -0 "$vp_pid" || fail "the parent vplaned died"
stop_vplaned
echo "# nested (wayland backend): frames$frames pixel-exact in the parent"
