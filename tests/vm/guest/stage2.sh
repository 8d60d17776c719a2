#!/bin/bash
# Stage 2 of the test VM: runs inside the host's userspace (chroot on the
# overlay). Runs every test of the plan with its own timeout and records
# exit status, duration and output in the results share.
set -u
cd "$VPLANE_SRC" || exit 1
results=/run/vplane
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 XDG_RUNTIME_DIR=/run/user/0
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
ip link set lo up

echo "VPLANE-MARK userspace $(cut -d' ' -f1 /proc/uptime)"
first=1
while IFS=$'\t' read -r name timeout cmd <&3; do
	if [ $first = 1 ]; then
		echo "VPLANE-MARK first-test $(cut -d' ' -f1 /proc/uptime)"
		echo "first-test-uptime $(cut -d' ' -f1 /proc/uptime)" >>"$results/meta"
		first=0
	fi
	echo "VPLANE-MARK start $name"
	start=$(date +%s%N)
	timeout -k 5 "$timeout" bash -c "$cmd" </dev/null >"$results/$name.log" 2>&1
	rc=$?
	end=$(date +%s%N)
	# Record status only after the log is complete.
	printf '%s\t%d\t%d\n' "$name" "$rc" $(((end - start) / 1000000)) >>"$results/status"
	echo "VPLANE-MARK end $name rc=$rc"
done 3<"$results/plan.tsv"
# Debug kernels: a kmemleak scan once everything the tests made is gone
# (objects younger than 5 s are not reported, so wait that out).
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >"$results/kmemleak.txt"
fi
dmesg >"$results/dmesg.txt"
echo "VPLANE-MARK done"
