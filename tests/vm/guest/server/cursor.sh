#!/bin/bash
# Kiosk cursor: the guest's cursor plane becomes the KMS cursor plane. On
# vkms (with its cursor plane) vplaned shows a vGPU whose simulator moves a
# 64x64 ARGB cursor along a Lissajous path; drm_info, read several times,
# must show vkms's cursor plane on the CRTC with a framebuffer at
# positions that lie on the guest's path (the simulator's formula, frame
# by frame) and that change while the guest moves it; and the primary
# plane must stay directly scanned out meanwhile (a software cursor would
# force compositing). wlroots 0.15's own cursor path cannot do this with
# the pixman renderer (server/output_cursor.c says why); vplaned puts the
# cursor on the plane itself.
set -e
test=cursor
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
command -v drm_info >/dev/null || { echo "drm_info not installed"; exit 77; }

. "$VPLANE_SRC/tests/vm/guest/server/kiosk_lib.sh"
kiosk_start ${VPLANED_DEBUG:+--verbose}
"$SIM" --uuid "$uuid" --mode 1024x768 --rate 10 --quiet >"$R/sim.log" 2>&1 &
sim_pid=$!
wait_direct "$uuid/0" 30
for i in 1 2 3 4 5; do
	sleep 1
	drm_info -j >"$R/drm_info-$i.json"
done
python3 - "$R"/drm_info-*.json <<'PY' || fail "cursor plane does not follow the guest's cursor"
import json, math, sys

def cursor_state(path):
    d = json.load(open(path))
    dev = d[next(iter(d))] if isinstance(d, dict) and 'planes' not in d else d
    for p in dev['planes']:
        if p['properties']['type']['value'] != 2 or not p['crtc_id']:
            continue
        fb = p.get('fb') or {}
        prop = lambda n: p['properties'][n]['value']
        return (fb.get('width'), fb.get('height'), prop('CRTC_X'),
                prop('CRTC_Y'))
    return None

# examples/vgpu-sim/sim.c: the cursor's top-left for frame f on head 0
W, H, SIZE = 1024, 768, 64
def path(f):
    t = f / 60.0
    cx = int((W // 2) * (1 + 0.9 * math.sin(t * 1.3)))
    cy = int((H // 2) * (1 + 0.9 * math.sin(t * 1.7)))
    return cx - SIZE // 2, cy - SIZE // 2
on_path = {path(f) for f in range(0, 20000)}

seen = []
for path_ in sys.argv[1:]:
    st = cursor_state(path_)
    print('# cursor plane:', st)
    # wlroots allocates the driver's cursor size (>= the 64x64 image)
    if st is None or not st[0] or st[0] < 64 or st[0] != st[1]:
        sys.exit('no cursor framebuffer on a cursor plane: %r' % (st,))
    if (st[2], st[3]) not in on_path:
        sys.exit('position %r is not on the guest cursor path' % (st[2:],))
    seen.append(st[2:])
if len(set(seen)) < 3:
    sys.exit('the cursor moved only to %d places in 5 s' % len(set(seen)))
PY
kill -TERM "$sim_pid"
wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
sim_pid=
save_stats "$uuid/0" "$R/stats.txt"
stop_vplaned
direct=$(stat_in output_frames_direct "$R/stats.txt")
comp=$(stat_in output_frames_composited "$R/stats.txt")
refusals=$(stat_in output_direct_refusals "$R/stats.txt")
echo "# kiosk cursor: the KMS cursor plane shows the guest cursor at its path positions, moving; $direct direct / $comp composited frames, $refusals refusals"
# (that vplaned put the cursor on the KMS cursor plane is what drm_info
# showed above.) No direct scanout refused: composited frames count the
# placeholder's too (before the guest's first frame and after it left),
# output_direct_refusals only the guest buffers the output refused
[ "$refusals" = 0 ] || fail "direct scanout was refused ${refusals:-?} times while the guest showed a cursor"
[ "${direct:-0}" -ge 20 ] || fail "only ${direct:-0} direct scanout frames"
