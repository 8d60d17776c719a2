#!/bin/bash
# In-guest fuzz of vplane.ko: load vfio + vplane.ko, create a vGPU, run
# vplane-fuzz on it, then prove that nothing leaked (debugfs counters all
# zero once everything is closed and removed) and that rmmod vplane works.
#
#   fuzz.sh OPS SEED [TYPE]   SEED "time": the fuzzer seeds from the clock
#                             (and prints it); TYPE: 1head (default), 2head
#   fuzz.sh kill SECONDS      run the fuzzer endlessly and SIGKILL it (the
#                             whole VMM) after SECONDS, mid-stream
#
# VPLANE_FUZZ_BIN overrides the binary; FUZZ_TIME_LIMIT (s, default 120
# times the kernel's slowdown) stops a run early on a slow machine (it
# says so in its summary); FUZZ_ARGS adds fuzzer options (-v traces every
# op).
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
set -u

bin=${VPLANE_FUZZ_BIN:-$VPLANE_BUILD/tests/vm/guest/fuzz/vplane-fuzz}
ko="$VPLANE_MODULES/vplane.ko"
stats=/sys/kernel/debug/vplane/stats
limit=${FUZZ_TIME_LIMIT:-$((120 * ${VPLANE_SLOWDOWN:-1}))}

fail() { echo "FAIL: $*"; dmesg | tail -n 30; exit 1; }

[ -x "$bin" ] || fail "no fuzzer binary $bin"
[ -f "$ko" ] || fail "$ko was not built"
vp_load_vfio || fail "vfio modules"
vp_insmod "$ko" || fail "insmod vplane"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
[ -r "$stats" ] || fail "no $stats"

parent=/sys/class/mdev_bus/vplane
# the type directory whose name ends in the wanted sysfs name
type_dir() {
	local t
	for t in "$parent"/mdev_supported_types/*; do
		case ${t##*/} in *"$1") echo "${t##*/}"; return 0 ;; esac
	done
	return 1
}

# Remove every vplane mdev (the fuzzer may have replaced ours).
remove_all() {
	local d
	for d in "$parent"/*-*-*-*-*; do
		[ -e "$d/remove" ] && echo 1 >"$d/remove"
	done
}

# Every "live" counter in the global stats must be zero.
check_stats() { # what
	local key val bad=0
	cat "$stats"
	for key in dmabufs plane_objects page_sets pinned_pages vmaps \
		   dma_mappings "$@"; do
		val=$(awk -v k="$key" '$1 == k { print $2 }' "$stats")
		if [ "$val" != 0 ]; then
			echo "FAIL: debugfs $key is '$val' with everything closed"
			bad=1
		fi
	done
	return $bad
}

rc=0
mode=${1:?usage: fuzz.sh OPS SEED [TYPE] | fuzz.sh kill SECONDS}
type=$(type_dir "${3:-1head}") || fail "no mdev type ${3:-1head}"
uuid=$(cat /proc/sys/kernel/random/uuid)
echo "$uuid" >"$parent/mdev_supported_types/$type/create" ||
	fail "create $type"
klog_start=$(dmesg | wc -l)

if [ "$mode" = kill ]; then
	secs=${2:-3}
	"$bin" -u "$uuid" -p vplane -t "$type" -n 100000000 &
	pid=$!
	sleep "$secs"
	kill -0 "$pid" 2>/dev/null || { wait "$pid"; fail "fuzzer ended before the kill (status $?)"; }
	kill -KILL "$pid"
	wait "$pid"
	st=$?
	[ $st = 137 ] || fail "fuzzer status $st, expected SIGKILL (137)"
	echo "# VMM SIGKILLed after ${secs}s mid-stream"
	# its consumer child (if any) dies with it; give exit a moment
	for i in 1 2 3 4 5 6 7 8 9 10; do
		check_stats >/dev/null && break
		sleep 0.5
	done
	check_stats || rc=1
else
	seed=${2:?seed}
	args=(-u "$uuid" -p vplane -t "$type" -n "$mode" -d -T "$limit")
	[ "$seed" = time ] || args+=(-s "$seed")
	# shellcheck disable=SC2206 # FUZZ_ARGS: extra options, e.g. -v
	args+=(${FUZZ_ARGS:-})
	"$bin" "${args[@]}" || { echo "FAIL: vplane-fuzz exited $?"; rc=1; }
fi

remove_all
check_stats vgpus || rc=1
if dmesg | tail -n +"$((klog_start + 1))" |
	grep -E "WARNING:|BUG:|Oops|KASAN|UBSAN|Call Trace"; then
	echo "FAIL: kernel log reports above"
	rc=1
fi
rmmod vplane || { echo "FAIL: rmmod vplane"; rc=1; }
[ ! -d /sys/module/vplane ] || { echo "FAIL: vplane still loaded"; rc=1; }
[ $rc = 0 ] && echo "# debugfs clean after close/remove, rmmod ok"
exit $rc
