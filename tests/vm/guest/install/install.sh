#!/bin/bash
# SPDX-License-Identifier: MIT
# Installing vplane on a host, in the VM, from the Debian packages
# tests/unit/packages.sh built (in $VPLANE_BUILD/debs). The steps are the
# README's "Install on a host", one subcommand each, run in this order by
# tests/vm/groups/install.txt (state carries over in $ST):
#   packages  dpkg -i; the kernel's headers not installed yet
#   dkms      headers installed; dkms build + dkms install for uname -r
#   modprobe  modprobe vplane pulls in vfio, mdev and vfio_iommu_type1
#   udev      the display node's group and mode come from the udev rule
#   vdi       the VDI unit's ExecStart with its environment, unprivileged:
#             vplaned shows the simulated guest pixel for pixel
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
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$VPLANE_SRC/driver/dkms.conf")

fail() { echo "FAIL: $*"; exit 1; }

# The directories the packages, their maintainer scripts and DKMS write to:
# snapshotted before install and after purge (names, not contents).
snapshot() {
	find /etc /usr/bin /usr/include /usr/src /usr/share/doc /usr/share/man/man1 \
		/usr/share/vplane /usr/lib/sysusers.d /usr/lib/x86_64-linux-gnu \
		/lib/udev/rules.d /lib/modprobe.d /lib/systemd/system /var/lib/dkms \
		/var/lib/systemd "/lib/modules/$abi/" -xdev 2>/dev/null |
		grep -v '^/usr/src/linux-' | sort || true # the kernel headers stay
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
	snapshot >"$ST/before.txt"
	echo "# $(wc -l <"$ST/before.txt") paths before install"

	dpkg -i "$DEBS"/vplane-dkms_*.deb "$DEBS"/vplaned_*.deb \
		"$DEBS"/libvplane0_*.deb "$DEBS"/libvplane-dev_*.deb 2>&1 | tee "$R/dpkg-i.log"
	for p in $PKGS; do
		[ "$(dpkg-query -W -f='${Status}' "$p")" = "install ok installed" ] ||
			fail "$p is not installed"
		dpkg -L "$p" >"$ST/$p.list"
	done
	# the postinst registered the module with DKMS (and built it if it
	# found headers for the running kernel; the next step then skips)
	dkms status vplane | tee "$R/dkms-status.txt"
	grep -q "^vplane/$version" "$R/dkms-status.txt" || fail "dkms: vplane/$version not added"
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
	new_vgpu() {
		local u
		u=$(cat /proc/sys/kernel/random/uuid)
		echo "$u" >/sys/class/mdev_bus/vplane/mdev_supported_types/vplane-1head/create ||
			fail "cannot create a vGPU"
		echo "$u" >>"$ST/uuids"
		echo "$u"
	}
	# Without udev the kernel's default stands: root's group (display_gid 0)
	u1=$(new_vgpu)
	[ "$(stat -c '%G %a' "/dev/vplane/$u1")" = "root 660" ] ||
		fail "node before udev: $(stat -c '%G %a' "/dev/vplane/$u1")"
	# The real udevd, reading the installed rule: it fixes the existing
	# node (trigger) and gives a hot-added one its group at once
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
	sock=$(sed -n 's/^socket \([^ ]*\).*/\1/p' /etc/vplane/vdi.conf)
	rundir=$(sed -n 's/^env XDG_RUNTIME_DIR=//p' "$R/unit.txt")
	[ -n "$sock" ] && [ -n "$rundir" ] || fail "no socket in vdi.conf or no XDG_RUNTIME_DIR in the unit"
	uuid=$(head -n 1 "$ST/uuids")
	python3 "$VPLANE_SRC/tests/vm/guest/install/unit_exec.py" "$unit" >"$R/vplaned.log" 2>&1 &
	vp_pid=$!
	sim_pid=
	trap 'kill $sim_pid $vp_pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
	for _ in $(seq 150); do
		[ -S "$rundir/$sock" ] && break
		kill -0 "$vp_pid" 2>/dev/null || fail "vplaned exited: $(tail -n 20 "$R/vplaned.log")"
		sleep 0.2
	done
	[ -S "$rundir/$sock" ] || fail "no socket $rundir/$sock after 30 s"
	id=$(awk '/^Uid:/ {print $2}' "/proc/$vp_pid/status")
	groups=$(awk '/^Groups:/ {$1 = ""; print}' "/proc/$vp_pid/status")
	echo "# vplaned runs as uid $id, groups$groups"
	[ "$id" != 0 ] || fail "vplaned runs as root"
	"$SIM" --uuid "$uuid" --mode 320x240 --rate 10 --no-cursor --quiet \
		>"$R/sim.log" 2>&1 &
	sim_pid=$!
	for _ in $(seq 150); do
		grep -q "direct scanout of $uuid" "$R/vplaned.log" && break
		sleep 0.2
	done
	grep -q "direct scanout of $uuid" "$R/vplaned.log" ||
		fail "vplaned never showed $uuid: $(tail -n 20 "$R/vplaned.log")"
	output=$(sed -n "s/.*\] \([A-Z0-9-]*\) shows vGPU head $uuid\/0.*/\1/p" "$R/vplaned.log" | tail -n 1)
	[ -n "$output" ] || fail "no output shows $uuid/0: $(tail -n 20 "$R/vplaned.log")"
	for i in 1 2; do
		sleep 1
		XDG_RUNTIME_DIR=$rundir WAYLAND_DISPLAY=$sock timeout 30 grim -t ppm \
			-o "$output" "$R/cap$i.ppm" || fail "grim failed"
		out=$($CHECK "$R/cap$i.ppm") || fail "capture $i: $out"
		echo "# capture $i of the VDI unit's $output: $out"
	done
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "simulator: $(cat "$R/sim.log")"
	sim_pid=
	grep -q ' 0 timeouts' "$R/sim.log" || fail "the guest saw flip-done timeouts: $(cat "$R/sim.log")"
	kill -TERM "$vp_pid"
	rc=0
	wait "$vp_pid" || rc=$?
	vp_pid=
	[ "$rc" = 0 ] || fail "vplaned exited with $rc: $(tail -n 20 "$R/vplaned.log")"
	;;
purge)
	while read -r u; do
		[ ! -e "/sys/bus/mdev/devices/$u" ] || echo 1 >"/sys/bus/mdev/devices/$u/remove"
	done <"$ST/uuids"
	modprobe -r vplane || fail "modprobe -r vplane"
	dpkg --purge $PKGS 2>&1 | tee "$R/dpkg-purge.log"
	for p in $PKGS; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ -z "$st" ] || [ "$st" = "unknown ok not-installed" ] || fail "$p still known to dpkg: $st"
	done
	bad=0
	for p in $PKGS; do
		while read -r f; do
			[ "$f" != "/." ] || continue
			if [ -e "$f" ] || [ -L "$f" ]; then
				# a directory the packages share with the system stays
				[ -d "$f" ] && [ ! -L "$f" ] && grep -qxF "$f" "$ST/before.txt" && continue
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
