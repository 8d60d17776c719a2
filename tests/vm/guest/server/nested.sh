#!/bin/bash
# vplaned --backend wayland: vplaned runs nested in a desktop compositor
# (sway, headless, as a user: sway refuses root) and shows its vGPU in a
# window there. The window floats at the desktop's top-left with no
# border, so a grim capture of that rectangle of sway's output must be
# the vGPU's frame, pixel for pixel. (vplaned itself cannot be the
# parent: its public socket is for capture only, with no wl_compositor.)
set -e
test=nested
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
command -v grim >/dev/null || { echo "grim not installed"; exit 77; }
command -v sway >/dev/null || { echo "sway not installed"; exit 77; }

DESKTOP_UID=65534 # nobody
desktop_rt=/tmp/vp-xdg-nested-desktop
mkdir -p -m 700 "$desktop_rt"
chown "$DESKTOP_UID:$DESKTOP_UID" "$desktop_rt"
cat >"$desktop_rt/config" <<'CONF'
output HEADLESS-1 resolution 640x480 position 0 0
default_border none
default_floating_border none
for_window [app_id=".*"] floating enable, move position 0 0
CONF
as_desktop() {
	XDG_RUNTIME_DIR=$desktop_rt setpriv --reuid=$DESKTOP_UID \
		--regid=$DESKTOP_UID --clear-groups "$@"
}

vp_load_vplane
b=$(new_vgpu) || fail "cannot create vGPU B"
uuids="$b"

# setpriv run directly, not through as_desktop: $! is then sway itself
# (setpriv execs it), not a subshell a kill would leave sway behind
XDG_RUNTIME_DIR=$desktop_rt WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 \
	WLR_RENDERER=pixman WAYLAND_DISPLAY= setpriv --reuid=$DESKTOP_UID \
	--regid=$DESKTOP_UID --clear-groups sway -c "$desktop_rt/config" \
	>"$R/sway.log" 2>&1 &
desktop=$!
extra_pids="$desktop"
for _ in $(seq 150); do
	[ -S "$desktop_rt/wayland-1" ] && break
	kill -0 "$desktop" 2>/dev/null || { cat "$R/sway.log"; fail "sway exited"; }
	sleep 0.2
done
[ -S "$desktop_rt/wayland-1" ] || { cat "$R/sway.log"; fail "sway made no socket"; }

WAYLAND_DISPLAY=$desktop_rt/wayland-1 "$VPLANED" --socket "$SOCK-child" \
	--backend wayland --vgpu "$b" >"$R/child.log" 2>&1 &
child=$!
extra_pids="$extra_pids $child"
"$SIM" --uuid "$b" --mode 320x240 --rate 10 --no-cursor --quiet \
	>"$R/sim-b.log" 2>&1 &
extra_pids="$extra_pids $!"
# child_shows: the nested vplaned's control socket lists B's head on an
# output (its window)
child_shows() {
	timeout 20 "$VPLANECTL" --socket "$SOCK-child" list 2>/dev/null |
		grep -q "^  $b/0: .*, on [^ ]* at "
}
for _ in $(seq 150); do
	child_shows && break
	kill -0 "$child" 2>/dev/null || { cat "$R/child.log"; fail "the nested vplaned exited"; }
	sleep 0.2
done
child_shows || { cat "$R/child.log"; fail "the nested vplaned shows no head"; }

frames=""
for i in 1 2 3; do
	sleep 1
	WAYLAND_DISPLAY=wayland-1 as_desktop timeout 30 grim -t ppm \
		-g "0,0 320x240" - >"$R/cap$i.ppm" || fail "grim failed"
	out=$($CHECK "$R/cap$i.ppm") || { tail -n 20 "$R/child.log"; fail "capture $i: $out"; }
	echo "# capture $i (the vGPU in the nested window): $out"
	frames="$frames $(echo "$out" | sed -n 's/^frame \([0-9]*\):.*/\1/p')"
done
[ "$(echo $frames | tr ' ' '\n' | sort -u | wc -l)" = 3 ] ||
	fail "nested window did not advance: frames$frames"
kill -TERM "$child"
wait "$child" || fail "the nested vplaned exited with $?"
kill -0 "$desktop" || fail "sway died"
echo "# nested (wayland backend, in sway): frames$frames pixel-exact"
