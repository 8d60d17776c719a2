#!/bin/bash
# vplaned shows upstream-only vGPUs: VFIO devices whose fd a VMM hands
# over vplaned's --vfio-socket (vplane-sim --share-fd plays the VMM), the
# plane re-read at the output's refresh.
#  - malformed hand-overs are refused with a clear answer, the server
#    stays up; a second device of the same name is refused;
#  - a vplane vGPU driven only through the upstream API: grim captures
#    are pixel-exact and advance;
#  - the kernel's mbochs sample (bochs DISPI): shown by direct scanout,
#    every flip picked up; its dma-bufs cannot be CPU-mapped (mbochs
#    exports them O_RDONLY but refuses mappings without VM_SHARED), so
#    no capture can read them: counted, not captured;
#  - the VMM going away drops its vGPU; mbochs then unloads (no dma-buf
#    of it left in vplaned);
#  - vplane-handover hands the display node over the same socket, and its
#    exit drops the vGPU.
set -e
test=upstream
. "$VPLANE_SRC/tests/vm/guest/server/server_lib.sh"
command -v grim >/dev/null || { echo "grim not installed"; exit 77; }

VS=$XDG_RUNTIME_DIR/vfio.sock

# hand_over SIM-ARGS...: run the simulator as the VMM of $uuid, sharing
# its device fd; wait until vplaned shows it
hand_over() {
	"$SIM" --uuid "$uuid" --rate 10 --frames 3000 --share-fd "$VS" \
		--quiet "$@" >"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_listed "^vGPU $uuid: .*, upstream GFX plane API, "
}

# vmm_exit: stop the simulator; vplaned must drop the vGPU and live on
vmm_exit() {
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	# the VMM let go: vplaned drops the vGPU
	wait_unlisted "^vGPU $uuid: "
	kill -0 "$vp_pid" || fail "vplaned died when the VMM went away"
}

make_vgpu
start_vplaned --backend headless --vfio-socket "$VS"
[ "$(stat -c %a "$VS")" = 600 ] || fail "socket mode $(stat -c %a "$VS"), not 600"

# Malformed hand-overs: each gets "error: ..." and changes nothing.
python3 - "$VS" <<'PY' || fail "malformed hand-overs were not refused"
import array, os, socket, sys

def hand_over(name, fds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
            array.array("i", fds).tobytes())] if fds else []
    s.sendmsg([name], anc)
    answer = s.recv(200).decode()
    s.close()
    return answer

null = os.open("/dev/null", os.O_RDWR)
cases = [("no fd", b"vm1", []), ("two fds", b"vm1", [null, null]),
         ("bad name", b"../etc", [null]), ("empty name", b"", [null]),
         ("not VFIO", b"vm1", [null])]
bad = 0
for what, name, fds in cases:
    answer = hand_over(name, fds)
    print(f"# {what}: {answer}")
    bad += not answer.startswith("error: ")
sys.exit(bad)
PY
kill -0 "$vp_pid" || fail "vplaned died on a malformed hand-over"

hand_over --mode 320x240 --no-cursor
wait_direct "$uuid/0"
capture_advancing
# statistics of an upstream-only vGPU: new frames (new dmabuf_ids) counted
# and presented, latency from the re-read that found one to its present
val() { stat_in "$@"; }
ctl stats "$uuid/0" >"$R/s1.txt" 2>&1 || fail "stats: $(cat "$R/s1.txt")"
sleep 2
ctl stats "$uuid/0" >"$R/s2.txt" 2>&1 || fail "stats: $(cat "$R/s2.txt")"
sed 's/^/# /' "$R/s2.txt"
for c in flips frames_presented; do
	a=$(val $c "$R/s1.txt") b=$(val $c "$R/s2.txt")
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -ge $((a + 10)) ] ||
		fail "upstream $c did not grow by 10 in 2 s at 10 Hz: '$a' -> '$b'"
done
lat=$(val last_latency_ns "$R/s2.txt")
[ -n "$lat" ] && [ "$lat" -gt 0 ] && [ "$lat" -lt 1000000000 ] || fail "upstream last latency '$lat' ns"

# The same device a second time: refused by name, the first one stays.
python3 - "$VS" "$uuid" <<'PY' || fail "a duplicate hand-over was accepted"
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
fd = os.open("/dev/null", os.O_RDWR)
s.sendmsg([sys.argv[2].encode()], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                    array.array("i", [fd]).tobytes())])
answer = s.recv(200).decode()
print("# duplicate:", answer)
sys.exit(0 if answer.startswith("error: ") and "shown already" in answer else 1)
PY

vmm_exit
echo "# upstream API of a vplane vGPU: frames$frames captured pixel-exact"

# vplane-handover (the root helper, examples/vmm/): the same vGPU's
# display node this time; vplaned shows it until the helper exits
HANDOVER=$VPLANE_BUILD/examples/vplane-handover
"$HANDOVER" "$VS.none" "$uuid" 2>"$R/handover-none.log" &&
	fail "vplane-handover to a missing socket succeeded"
grep -q "cannot connect.*is vplaned running with --vfio-socket" "$R/handover-none.log" ||
	fail "vplane-handover, missing socket: $(cat "$R/handover-none.log")"
"$HANDOVER" "$VS" "$uuid" >"$R/handover.log" 2>&1 &
helper=$!
for _ in $(seq 30); do
	grep -q "vplaned shows $uuid" "$R/handover.log" && break
	sleep 1
done
grep -q "vplaned shows $uuid" "$R/handover.log" || fail "vplane-handover: $(cat "$R/handover.log")"
wait_listed "^vGPU $uuid: "
kill -TERM "$helper"
wait "$helper" || fail "vplane-handover exited with $?: $(cat "$R/handover.log")"
wait_unlisted "^vGPU $uuid: "
echo "# vplane-handover: shown, dropped when the helper exited"
remove_vgpu "$uuid"
uuid=

# mbochs: same path, no CPU access possible (see above)
vp_insmod "$VPLANE_MODULES/mbochs.ko"
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >/sys/class/mdev_bus/mbochs/mdev_supported_types/mbochs-medium/create ||
	fail "cannot create an mbochs vGPU"
hand_over --bochs --mode 320x240
wait_direct "$uuid/0"
sleep 3
save_stats "$uuid/0" "$R/stats-mbochs.txt"
vmm_exit
stop_vplaned
flips=$(stat_in flips "$R/stats-mbochs.txt")
echo "# mbochs over --vfio-socket: ${flips:-0} flips picked up at the output's refresh"
[ "${flips:-0}" -ge 10 ] || fail "only ${flips:-0} mbochs flips picked up"
remove_vgpu "$uuid"
uuid=
rmmod mbochs || fail "mbochs is still in use after vplaned exited"
