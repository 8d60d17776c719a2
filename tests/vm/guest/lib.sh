#!/bin/bash
# Helpers for in-guest tests: source this file.

# Load a module of the Debian kernel package (not in the guest's /lib).
vp_modprobe() {
	modprobe -d "$VPLANE_KROOT" "$@" || {
		echo "vp_modprobe $*: failed; kernel log:" >&2
		dmesg | tail -n 20 >&2
		return 1
	}
}

# Load an out-of-tree module after the modules it depends on.
vp_insmod() {
	local ko=$1 name deps d
	shift
	name=$(modinfo -F name "$ko") || return 1
	[ -d "/sys/module/${name//-/_}" ] && return 0
	deps=$(modinfo -F depends "$ko")
	for d in ${deps//,/ }; do
		if [ -f "$VPLANE_MODULES/$d.ko" ]; then
			vp_insmod "$VPLANE_MODULES/$d.ko" || return 1
		else
			vp_modprobe "$d" || return 1
		fi
	done
	insmod "$ko" "$@" || {
		echo "insmod $ko $*: failed; kernel log:" >&2
		dmesg | tail -n 20 >&2
		return 1
	}
}

# vp_udevd LOG: the real systemd-udevd (stderr to LOG) with the driver's
# rule (data/60-vplane.rules, into /run/udev/rules.d of the guest's
# throw-away root) and the vplane group it names. The VM's root is a
# chroot, which systemd's tools refuse unless told. The caller stops it
# (udevadm control --exit).
vp_udevd() {
	getent group vplane >/dev/null || groupadd --system vplane || return 1
	mkdir -p /run/udev/rules.d
	cp "$VPLANE_SRC/data/60-vplane.rules" /run/udev/rules.d/ || return 1
	export SYSTEMD_IGNORE_CHROOT=1
	/lib/systemd/systemd-udevd --daemon 2>"$1"
}

vp_load_vkms() {
	vp_insmod "$VPLANE_MODULES/vkms.ko" enable_writeback=1 \
		enable_overlay=1 enable_cursor=1
}

vp_load_vfio() {
	vp_modprobe vfio && vp_modprobe vfio_iommu_type1 && vp_modprobe mdev
}

# After every vGPU is removed and every fd closed: vplane's global debugfs
# counters (vGPUs, dma-bufs, plane objects, pins, display nodes, ...) must
# all be zero. Prints them either way.
vp_check_no_leaks() {
	local stats=/sys/kernel/debug/vplane/stats key value bad=0
	[ -r "$stats" ] || { echo "no $stats"; return 1; }
	while read -r key value; do
		if [ "$value" != 0 ]; then
			echo "LEAK: $key = $value"
			bad=1
		fi
	done <"$stats"
	echo "# debugfs: $(tr '\n' ' ' <"$stats")"
	return $bad
}
