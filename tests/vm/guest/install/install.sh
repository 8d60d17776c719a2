#!/bin/bash
# SPDX-License-Identifier: MIT
# Installing vplane on a host, in the VM, from the Debian packages
# tests/unit/packages.sh built (in $VPLANE_BUILD/debs). The steps are the
# README's "Install on a host" (handover and qemu: its "Run it with a VM"),
# one subcommand each, run in this order by tests/vm/groups/install.txt
# (state carries over in $ST):
#   packages  dpkg -i; the kernel's headers not installed yet
#   dkms      headers installed; dkms build + dkms install for uname -r
#   modprobe  modprobe vplane pulls in vfio, mdev and vfio_iommu_type1
#   udev      the display node's group and mode come from the udev rule
#   vdi       the VDI unit's ExecStart with its environment, unprivileged:
#             vplaned shows the simulated guest pixel for pixel and streams
#             it over RTSP to the viewer the postinst made
#   handover  display fds handed to a vplaned that may open no device
#             (examples/vmm/vplane-handover.c, vplane-sim --share-display)
#   qemu      examples/vmm/qemu-vgpu.sh: QEMU opens the vGPU (-S)
#   purge     dpkg --purge: every file the packages had or made is gone
set -euo pipefail
step=$1
. "$VPLANE_SRC/tests/vm/guest/lib.sh"
ST=/tmp/vp-install
R=$VPLANE_RESULTS/install-$step
mkdir -p "$ST" "$R"
abi=$(uname -r)
PKGS="vplane-dkms vplaned libvplane0 libvplane-dev"
DEBS=$VPLANE_BUILD/debs
SIM=$VPLANE_BUILD/examples/vplane-sim
CHECK="python3 $VPLANE_SRC/tests/vm/guest/server/frame_check.py"
SLOW=${VPLANE_SLOWDOWN:-1}
W=320 H=240
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$VPLANE_SRC/driver/dkms.conf")

fail() { echo "FAIL: $*"; exit 1; }

# The directories the packages, their maintainer scripts and DKMS write to:
# snapshotted before install and after purge (names, not contents). Every
# packaged file is checked by name from dpkg -L as well; this catches what
# the scripts and DKMS made. Where scripts and DKMS write, whole trees;
# where only packaged files go, the top level (a package's own directory
# there is new at depth 1 or 2): walking all of /usr over 9p under TCG
# took longer than the rest of the step.
snapshot() {
	{
		find /etc /usr/src /usr/share/vplane /usr/lib/sysusers.d \
			/lib/udev/rules.d /lib/modprobe.d /lib/systemd/system \
			/var/lib/dkms /var/lib/systemd -xdev
		find /usr/bin /usr/share/man/man1 /usr/share/doc /usr/include \
			-maxdepth 1 -xdev
		find /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/pkgconfig \
			-maxdepth 1 -xdev
		find "/lib/modules/$abi/" -maxdepth 3 -xdev
	} 2>/dev/null | grep -v '^/usr/src/linux-' | sort -u || true # the kernel headers stay
}

# new_vgpu: a vGPU through sysfs, noted for the purge step to remove
new_vgpu() {
	local u
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" >/sys/class/mdev_bus/vplane/mdev_supported_types/vplane-1head/create ||
		fail "cannot create a vGPU"
	echo "$u" >>"$ST/uuids"
	echo "$u"
}

# wait_for LOG PATTERN PID: until vplaned (PID) logs PATTERN. Under a
# loaded TCG host vplaned takes minutes to start (GStreamer's plugin scan
# and encoder probe): 300 s, times the kernel's slowdown.
wait_for() {
	local end=$((SECONDS + 300 * SLOW))
	while [ $SECONDS -lt $end ]; do
		grep -q "$2" "$1" && return 0
		kill -0 "$3" 2>/dev/null || fail "vplaned exited: $(tail -n 20 "$1")"
		sleep 0.5
	done
	fail "vplaned never logged '$2' in $((300 * SLOW)) s: $(tail -n 20 "$1")"
}

case $step in
packages)
	[ "$abi" = "$VPLANE_KVER" ] || fail "booted $abi, harness says $VPLANE_KVER"
	for p in $PKGS; do
		ls "$DEBS/${p}_"*.deb >/dev/null 2>&1 ||
			fail "no $p package in $DEBS: run 'meson test -C $VPLANE_BUILD packages' first (it builds them)"
	done
	# The host as a Debian install of this kernel looks: its modules in
	# /lib/modules/<abi> (linux-image), whose 'build' link dangles until
	# linux-headers is installed (next step).
	mkdir -p /lib/modules
	ln -sfn "$VPLANE_KROOT/lib/modules/$abi" "/lib/modules/$abi"
	[ ! -e "/lib/modules/$abi/build" ] || fail "headers visible before they were installed"
	# what systemd sets up in /dev on a booted host and the VM's bare
	# devtmpfs lacks; dkms relies on <(...), which needs /dev/fd
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	for i in 0:stdin 1:stdout 2:stderr; do
		[ -e "/dev/${i#*:}" ] || ln -s "/proc/self/fd/${i%%:*}" "/dev/${i#*:}"
	done
	getent group vplane >/dev/null && fail "group vplane exists before install"
	t0=$(date +%s)
	snapshot >"$ST/before.txt"
	echo "# $(wc -l <"$ST/before.txt") paths before install ($(($(date +%s) - t0)) s)"
	t0=$(date +%s)

	# man-db's trigger re-reads every manual page on the machine (many
	# minutes over 9p under TCG); Debian's own container images turn it
	# off the same way. The pages are still installed and checked.
	rm -f /var/lib/man-db/auto-update
	DEBIAN_FRONTEND=noninteractive dpkg -i "$DEBS"/vplane-dkms_*.deb \
		"$DEBS"/vplaned_*.deb "$DEBS"/libvplane0_*.deb \
		"$DEBS"/libvplane-dev_*.deb 2>&1 | tee "$R/dpkg-i.log"
	for p in $PKGS; do
		[ "$(dpkg-query -W -f='${Status}' "$p")" = "install ok installed" ] ||
			fail "$p is not installed"
		dpkg -L "$p" >"$ST/$p.list"
	done
	# the postinst registered the module with DKMS (and built it if it
	# found headers for the running kernel; the next step then skips)
	dkms status vplane | tee "$R/dkms-status.txt"
	grep -q "^vplane/$version" "$R/dkms-status.txt" || fail "dkms: vplane/$version not added"
	echo "# dpkg -i took $(($(date +%s) - t0)) s (TCG)"
	echo "# postinst: $(grep -m1 -E 'skipped since|Building initial module|Done\.' "$R/dpkg-i.log" || echo 'no build message')"
	getent group vplane || fail "the postinst did not create group vplane"
	# the packaged units as systemd reads them: no unknown setting, no
	# missing binary (systemd-analyze prints nothing when all is well)
	for u in vplaned-vdi vplaned-kiosk; do
		out=$(systemd-analyze verify "/lib/systemd/system/$u.service" 2>&1) ||
			fail "systemd-analyze verify $u: $out"
		[ -z "$out" ] || fail "systemd-analyze verify $u: $out"
	done
	echo "# installed: $(for p in $PKGS; do printf '%s ' "$(dpkg-query -W -f='${Package}=${Version}' "$p")"; done)"
	;;
dkms)
	# apt install linux-headers-$abi puts these in /usr/src; the cached
	# packages are unpacked in VPLANE_KROOT
	for d in "$VPLANE_KROOT"/usr/src/linux-*; do
		ln -sfn "$d" "/usr/src/$(basename "$d")"
	done
	[ -f "/lib/modules/$abi/build/Makefile" ] || fail "headers of $abi not visible"
	t0=$(date +%s)
	dkms build "vplane/$version" 2>&1 | tee "$R/dkms-build.log" ||
		{ tail -n 40 "/var/lib/dkms/vplane/$version/build/make.log" 2>/dev/null; fail "dkms build"; }
	t1=$(date +%s)
	dkms install "vplane/$version" 2>&1 | tee "$R/dkms-install.log" || fail "dkms install"
	dkms status vplane | tee "$R/dkms-status.txt"
	grep -q "^vplane/$version, $abi, x86_64: installed" "$R/dkms-status.txt" ||
		fail "dkms status does not show vplane installed for $abi"
	ko=$(modinfo -n vplane) || fail "modinfo does not find vplane"
	case $ko in */updates/dkms/vplane.ko*) ;; *) fail "modprobe would load $ko, not DKMS's" ;; esac
	[ "$(modinfo -F vermagic vplane | cut -d' ' -f1)" = "$abi" ] || fail "vermagic is not $abi"
	echo "# dkms build took $((t1 - t0)) s (TCG), module $ko"
	;;
modprobe)
	for m in vfio mdev vfio_iommu_type1 vplane; do
		[ ! -d "/sys/module/$m" ] || fail "$m loaded before modprobe vplane"
	done
	# vfio and mdev are symbol dependencies; vfio_iommu_type1 is only in
	# the packaged softdep (lib/modprobe.d/vplane.conf)
	modinfo -F depends vplane | tee "$R/depends.txt"
	modprobe --show-depends vplane | tee "$R/show-depends.txt"
	grep -q vfio_iommu_type1 "$R/show-depends.txt" || fail "modprobe does not pull vfio_iommu_type1"
	modprobe vplane || { dmesg | tail -n 20; fail "modprobe vplane"; }
	for m in vfio mdev vfio_iommu_type1 vplane; do
		[ -d "/sys/module/$m" ] || fail "$m not loaded by modprobe vplane"
	done
	[ -d /sys/class/mdev_bus/vplane/mdev_supported_types/vplane-1head ] ||
		fail "vplane registered no vplane-1head type"
	echo "# modprobe vplane loaded: $(cut -d' ' -f1 /proc/modules | grep -E '^(vfio|mdev|vfio_iommu_type1|vplane)$' | tr '\n' ' ')"
	;;
udev)
	# Without udev the kernel's default stands: root's group (display_gid 0)
	u1=$(new_vgpu)
	[ "$(stat -c '%G %a' "/dev/vplane/$u1")" = "root 660" ] ||
		fail "node before udev: $(stat -c '%G %a' "/dev/vplane/$u1")"
	# The real udevd, reading the installed rule: it fixes the existing
	# node (trigger) and gives a hot-added one its group at once. The
	# VM's root is a chroot, where systemd's tools ignore every request
	# ("Running in chroot") unless told it is meant.
	export SYSTEMD_IGNORE_CHROOT=1
	/lib/systemd/systemd-udevd --daemon 2>"$R/udevd.log" || fail "systemd-udevd did not start"
	udevadm trigger --subsystem-match=vplane-display --action=add
	udevadm settle --timeout=60 || fail "udevadm settle timed out"
	u2=$(new_vgpu)
	udevadm settle --timeout=60 || fail "udevadm settle timed out"
	for u in $u1 $u2; do
		got=$(stat -c '%G %a' "/dev/vplane/$u")
		echo "# /dev/vplane/$u: group and mode $got"
		[ "$got" = "vplane 660" ] || fail "/dev/vplane/$u is '$got', the rule says 'vplane 660'"
	done
	udevadm control --exit
	# the VDI step shows the first one; the second has done its part
	echo 1 >"/sys/bus/mdev/devices/$u2/remove"
	;;
vdi)
	[ -x "$SIM" ] || fail "vplane-sim not built at $SIM (examples disabled?)"
	unit=/lib/systemd/system/vplaned-vdi.service
	python3 "$VPLANE_SRC/tests/vm/guest/install/unit_exec.py" "$unit" --print | tee "$R/unit.txt"
	conf() { sed -n "s/^$1 \\([^ ]*\\).*/\\1/p" /etc/vplane/vdi.conf; }
	sock=$(conf socket)
	rundir=$(sed -n 's/^env XDG_RUNTIME_DIR=//p' "$R/unit.txt")
	[ -n "$sock" ] && [ -n "$rundir" ] || fail "no socket in vdi.conf or no XDG_RUNTIME_DIR in the unit"
	# the stream as the packaged config sets it up: a viewer from the
	# file the postinst made, handed to the service as a credential
	[ "$(conf stream)" = yes ] || fail "vdi.conf does not stream"
	addr=$(conf rtsp-address) port=$(conf rtsp-port)
	viewers=$(sed -n 's/^credential rtsp-viewers //p' "$R/unit.txt")
	[ -n "$viewers" ] || fail "the unit loads no rtsp-viewers credential"
	[ "$(stat -c '%U %a' "$viewers")" = "root 600" ] ||
		fail "$viewers is '$(stat -c '%U %a' "$viewers")', not 'root 600'"
	[ "$(conf rtsp-credentials)" = "/run/credentials/vplaned-vdi.service/rtsp-viewers" ] ||
		fail "vdi.conf's rtsp-credentials is not the unit's credential"
	viewer=$(grep -v '^#' "$viewers" | head -n 1)
	case $viewer in ?*:????????????*) ;; *) fail "no viewer with a password in $viewers" ;; esac
	uuid=$(head -n 1 "$ST/uuids")
	t0=$(date +%s)
	python3 "$VPLANE_SRC/tests/vm/guest/install/unit_exec.py" "$unit" >"$R/vplaned.log" 2>&1 &
	vp_pid=$!
	sim_pid=
	trap 'kill $sim_pid $vp_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
	wait_for "$R/vplaned.log" "listening on WAYLAND_DISPLAY=$sock" $vp_pid
	[ -S "$rundir/$sock" ] || fail "no socket $rundir/$sock"
	echo "# vplaned up after $(($(date +%s) - t0)) s (TCG)"
	id=$(awk '/^Uid:/ {print $2}' "/proc/$vp_pid/status")
	groups=$(awk '/^Groups:/ {$1 = ""; print}' "/proc/$vp_pid/status")
	echo "# vplaned runs as uid $id, groups$groups"
	[ "$id" != 0 ] || fail "vplaned runs as root"
	# recordings go to the unit's StateDirectory, the service's own
	recdir=$(conf record-dir)
	[ -n "$recdir" ] && [ "$(stat -c %u "$recdir")" = "$id" ] ||
		fail "record-dir '$recdir' is not the service's (StateDirectory=)"
	grep -q "recordings go to $recdir " "$R/vplaned.log" || fail "vplaned does not record to $recdir"
	# 5 flips a second: under TCG the encoder reads a frame in tens of ms
	"$SIM" --uuid "$uuid" --mode ${W}x$H --rate 5 --no-cursor --quiet \
		>"$R/sim.log" 2>&1 &
	sim_pid=$!
	wait_for "$R/vplaned.log" "direct scanout of $uuid" $vp_pid
	wait_for "$R/vplaned.log" "RTSP: serving /$uuid/0" $vp_pid
	output=$(sed -n "s/.*\] \([A-Z0-9-]*\) shows vGPU head $uuid\/0.*/\1/p" "$R/vplaned.log" | tail -n 1)
	[ -n "$output" ] || fail "no output shows $uuid/0: $(tail -n 20 "$R/vplaned.log")"
	# a Wayland client on the unit's socket: pixel for pixel
	XDG_RUNTIME_DIR=$rundir WAYLAND_DISPLAY=$sock timeout $((30 * SLOW)) grim -t ppm \
		-o "$output" "$R/cap.ppm" || fail "grim failed"
	out=$($CHECK "$R/cap.ppm") || fail "capture: $out"
	echo "# capture of the VDI unit's $output: $out"
	# the stream: refused without the viewer's password, one frame with it
	url="rtsp://$addr:$port/$uuid/0"
	pull() {
		timeout $((120 * SLOW)) ffmpeg -nostdin -hide_banner -loglevel error \
			-rtsp_transport tcp -probesize 200000 -analyzeduration 1000000 \
			-threads 1 -i "$1" -frames:v 1 -f rawvideo -pix_fmt rgb24 -
	}
	if pull "$url" >"$R/anon.rgb" 2>"$R/ffmpeg-anon.log"; then
		fail "the stream played without credentials"
	fi
	grep -q 401 "$R/ffmpeg-anon.log" || fail "no 401 without credentials: $(cat "$R/ffmpeg-anon.log")"
	t0=$(date +%s)
	pull "rtsp://$viewer@$addr:$port/$uuid/0" >"$R/frame.rgb" 2>"$R/ffmpeg.log" ||
		fail "ffmpeg: $(tail -n 5 "$R/ffmpeg.log")"
	out=$(/usr/bin/python3 "$VPLANE_SRC/tests/vm/guest/install/stream_frame.py" $W $H <"$R/frame.rgb") ||
		fail "stream: $out"
	echo "# one frame of $url (viewer ${viewer%%:*}, $(($(date +%s) - t0)) s under TCG): $out"
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	echo "# guest: $(tail -n 1 "$R/sim.log")"
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest saw flip-done timeouts: $(cat "$R/sim.log")"
	kill -TERM "$vp_pid"
	rc=0
	wait "$vp_pid" || rc=$?
	vp_pid=
	[ "$rc" = 0 ] || fail "vplaned exited with $rc: $(tail -n 20 "$R/vplaned.log")"
	;;
handover)
	# examples/vmm/vplane-handover.c and the display-fd hand-over: vplaned
	# with no right to any device (a uid in no group, so not in 'vplane'),
	# given one vGPU's node by a root helper and another's display fd by
	# the VMM that owns it (vplane-sim --share-display), both over
	# --vfio-socket; it shows both pixel for pixel and acks their flips.
	HANDOVER=$VPLANE_BUILD/examples/vplane-handover
	[ -x "$HANDOVER" ] || fail "vplane-handover not built at $HANDOVER"
	uid=61185 dir=/run/vplaned-handover
	mkdir -p "$dir"
	chown $uid:$uid "$dir"
	chmod 700 "$dir"
	u1=$(head -n 1 "$ST/uuids")
	u2=$(new_vgpu)
	if setpriv --reuid=$uid --regid=$uid --clear-groups test -r "/dev/vplane/$u1"; then
		fail "uid $uid can open /dev/vplane/$u1 itself: the test proves nothing"
	fi
	# setpriv and env exec: $! is vplaned itself (a function run in the
	# background would be a subshell, and SIGTERM would hit that instead)
	setpriv --reuid=$uid --regid=$uid --clear-groups \
		env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR=$dir WLR_RENDERER=pixman \
		WLR_LIBINPUT_NO_DEVICES=1 /usr/bin/vplaned --backend headless \
		--socket vp-handover --vfio-socket "$dir/vfio.sock" >"$R/vplaned.log" 2>&1 &
	vp_pid=$!
	pids=
	trap 'kill $pids $vp_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
	wait_for "$R/vplaned.log" "listening on WAYLAND_DISPLAY=vp-handover" $vp_pid
	[ -S "$dir/vfio.sock" ] || fail "no $dir/vfio.sock"
	# the VMM of u1 owns its VFIO device; the root helper hands its node
	"$SIM" --uuid "$u1" --mode ${W}x$H --rate 5 --no-cursor --quiet >"$R/sim1.log" 2>&1 &
	sim1=$!
	"$HANDOVER" "$dir/vfio.sock" "$u1" >"$R/handover.log" 2>&1 &
	helper=$!
	# the VMM of u2 hands the display fd of the device it owns
	"$SIM" --uuid "$u2" --mode ${W}x$H --rate 5 --no-cursor --quiet \
		--share-display "$dir/vfio.sock" >"$R/sim2.log" 2>&1 &
	sim2=$!
	pids="$sim1 $helper $sim2"
	for u in $u1 $u2; do
		wait_for "$R/vplaned.log" "vGPU $u (.*), ack role" $vp_pid
		wait_for "$R/vplaned.log" "direct scanout of $u" $vp_pid
		output=$(sed -n "s/.*\] \([A-Z0-9-]*\) shows vGPU head $u\/0.*/\1/p" "$R/vplaned.log" | tail -n 1)
		[ -n "$output" ] || fail "no output shows $u/0"
		XDG_RUNTIME_DIR=$dir WAYLAND_DISPLAY=vp-handover timeout $((30 * SLOW)) \
			grim -t ppm -o "$output" "$R/$u.ppm" || fail "grim failed"
		out=$($CHECK "$R/$u.ppm") || fail "capture of $u: $out"
		echo "# $u handed over, shown on $output: $out"
	done
	grep -q "vplane-handover: vplaned shows $u1" "$R/handover.log" ||
		fail "vplane-handover: $(cat "$R/handover.log")"
	# the helper's exit is the VM's end: vplaned drops the vGPU
	kill -TERM "$helper"
	wait "$helper" || fail "vplane-handover exited with $?: $(cat "$R/handover.log")"
	wait_for "$R/vplaned.log" "vfio-socket: $u1: the VMM closed its connection" $vp_pid
	for p in $sim1 $sim2; do
		kill -TERM "$p"
		wait "$p" || fail "simulator: $(cat "$R"/sim*.log)"
	done
	pids=
	for n in 1 2; do
		echo "# guest $n: $(tail -n 1 "$R/sim$n.log")"
		grep -q ' 0 timeouts' "$R/sim$n.log" || fail "guest $n saw flip-done timeouts"
	done
	kill -TERM "$vp_pid"
	rc=0
	wait "$vp_pid" || rc=$?
	vp_pid=
	[ "$rc" = 0 ] || fail "vplaned exited with $rc: $(tail -n 20 "$R/vplaned.log")"
	;;
qemu)
	# examples/vmm/qemu-vgpu.sh against a real vGPU: QEMU (TCG inside the
	# VM) parses its command line, opens the vGPU's VFIO group and device
	# and realises vfio-pci with it; -S stops before the guest's first
	# instruction, so no guest disk is needed (an empty image stands in).
	command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not installed"
	QEMU_SH=$VPLANE_SRC/examples/vmm/qemu-vgpu.sh
	u=$(new_vgpu)
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	stats=/sys/kernel/debug/vplane/$u/stats
	is_open() { sed -n 's/^open //p' "$stats"; }
	[ "$(is_open)" = 0 ] || fail "$u is open before QEMU started"
	group=$(basename "$(readlink "/sys/bus/mdev/devices/$u/iommu_group")")
	truncate -s 16M "$ST/disk.img"
	# a wrong UUID is refused before QEMU runs, with a reason
	if out=$("$QEMU_SH" 00000000-0000-0000-0000-000000000000 "$ST/disk.img" 2>&1); then
		fail "qemu-vgpu.sh accepted a vGPU that does not exist"
	fi
	echo "# wrong UUID: $out"
	QEMU_ACCEL=tcg QEMU_MEM=256M "$QEMU_SH" "$u" "$ST/disk.img" vplaned -S \
		>"$R/qemu.log" 2>&1 &
	qemu=$!
	trap 'kill $qemu 2>/dev/null || true; wait 2>/dev/null || true' EXIT
	end=$((SECONDS + 300 * SLOW))
	while [ $SECONDS -lt $end ] && [ "$(is_open)" != 1 ]; do
		kill -0 "$qemu" 2>/dev/null || fail "QEMU exited: $(cat "$R/qemu.log")"
		sleep 0.5
	done
	[ "$(is_open)" = 1 ] || fail "QEMU did not open $u in $((300 * SLOW)) s: $(cat "$R/qemu.log")"
	echo "# QEMU opened the vGPU after $SECONDS s (TCG in TCG)"
	ls -l "/proc/$qemu/fd" >"$R/qemu-fds.txt" 2>&1
	grep -q " -> /dev/vfio/$group\$" "$R/qemu-fds.txt" || fail "QEMU does not hold /dev/vfio/$group"
	grep -q " -> anon_inode:\[vfio-device\]" "$R/qemu-fds.txt" || fail "QEMU holds no VFIO device fd"
	echo "# QEMU holds /dev/vfio/$group and the vGPU's device fd (open $(is_open))"
	kill -TERM "$qemu"
	wait "$qemu" || true # QEMU exits 0 on SIGTERM; 143 if it had not set up its handler yet
	[ "$(is_open)" = 0 ] || fail "$u still open after QEMU exited"
	# QEMU's warnings say "warning:"; anything else it prints is an error
	! grep '^qemu-system-x86_64: ' "$R/qemu.log" | grep -v -e 'warning:' \
		-e 'terminating on signal' || fail "QEMU reported an error: $(cat "$R/qemu.log")"
	sed 's/^/# qemu: /' "$R/qemu.log"
	echo 1 >"/sys/bus/mdev/devices/$u/remove"
	;;
purge)
	while read -r u; do
		[ ! -e "/sys/bus/mdev/devices/$u" ] || echo 1 >"/sys/bus/mdev/devices/$u/remove"
	done <"$ST/uuids"
	# unloaded already if it never was loaded (nothing to unload then)
	[ ! -d /sys/module/vplane ] || modprobe -r vplane || fail "modprobe -r vplane"
	DEBIAN_FRONTEND=noninteractive dpkg --purge $PKGS 2>&1 | tee "$R/dpkg-purge.log"
	for p in $PKGS; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ -z "$st" ] || [ "$st" = "unknown ok not-installed" ] || fail "$p still known to dpkg: $st"
	done
	bad=0
	for p in $PKGS; do
		while read -r f; do
			[ "$f" != "/." ] || continue
			if [ -e "$f" ] || [ -L "$f" ]; then
				# a directory the packages share with the system stays:
				# one that had entries before install (/usr, /lib/udev;
				# /lib is usrmerge's link to /usr/lib)
				[ -d "$f" ] && { grep -qxF "$f" "$ST/before.txt" ||
					awk -v p="$f/" 'index($0, p) == 1 { found = 1; exit }
						END { exit !found }' "$ST/before.txt"; } && continue
				echo "LEFT BEHIND ($p): $f"
				bad=1
			fi
		done <"$ST/$p.list"
	done
	# anything else the packages, their scripts or DKMS created
	snapshot >"$ST/after.txt"
	comm -13 "$ST/before.txt" "$ST/after.txt" >"$R/new-paths.txt"
	# group/gshadow backups: the 'vplane' group stays after purge on
	# purpose (Debian leaves system groups, files may still carry its gid)
	# DKMS's machine owner key (made at the first signed build) is DKMS's,
	# shared by every DKMS module and possibly enrolled with mokutil
	grep -vE '^/etc/(group|gshadow)-$|^/var/lib/dkms/mok\.(key|pub)$' \
		"$R/new-paths.txt" >"$R/left.txt" || true
	if [ -s "$R/left.txt" ]; then
		sed 's/^/LEFT BEHIND: /' "$R/left.txt"
		bad=1
	fi
	[ -z "$(dkms status vplane)" ] || { dkms status vplane; bad=1; }
	[ ! -e "/usr/src/vplane-$version" ] || bad=1
	echo "# purge: $(cat "$ST"/*.list | wc -l) packaged paths and every DKMS build product checked, $(wc -l <"$R/left.txt") left"
	[ "$bad" = 0 ] || fail "files left behind after purge"
	;;
*)
	fail "unknown step '$step'"
	;;
esac
