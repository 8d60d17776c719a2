#!/bin/sh
# SPDX-License-Identifier: MIT
# A QEMU guest with a vplane vGPU as its only display device.
#   qemu-vgpu.sh UUID DISK.img [vplaned|qemu [QEMU OPTIONS...]]
# UUID is an existing vGPU (README, "Install on a host": create one through
# sysfs). The guest's unmodified bochs-drm drives head 0 (PCI 1234:1111);
# a vplane-aware guest driver gets the other heads, the cursor plane and
# flip-done interrupts (driver/ABI.md).
#   vplaned (default): the display is vplaned's, beside QEMU. QEMU does not
#     poll the device (display=off); vplaned follows /dev/vplane/UUID and
#     acks flips when they are on screen (vplaned-vdi / vplaned-kiosk).
#   qemu: QEMU's own display code shows it (display=on: QEMU polls the
#     upstream GFX plane API every 30 ms and needs an OpenGL display such
#     as gtk,gl=on or egl-headless with a VNC server).
# QEMU needs access to /dev/vfio/vfio and the vGPU's group, /dev/vfio/N
# (root, or a VMM user given that group); libvirt does this for you (see
# libvirt-vgpu.xml).
# Input: vplane.ko gives each vGPU a keyboard and one absolute pointer per
# head (driver/ABI.md, "Input devices"); vplaned injects into them and they
# outlive its restarts. When udev made their links
# (/dev/input/by-vplane/UUID-kbd, -head0, ...), they are attached here:
# the keyboard and head 0's pointer through input-linux into a virtio
# keyboard and tablet, every further head's pointer as its own
# virtio-input-host-pci tablet (input-linux would merge all pointers into
# one guest tablet). QEMU's user needs the vplane group for them.
# QEMU_ACCEL=tcg runs without KVM (-cpu max), QEMU_MEM sets the guest's
# RAM (default 4G); options after the third argument go to QEMU as they
# are. The VM test install-qemu starts this against a real vGPU.
set -eu
usage="usage: qemu-vgpu.sh UUID DISK.img [vplaned|qemu [QEMU OPTIONS...]]"
uuid=${1:?$usage}
disk=${2:?$usage}
mode=${3:-vplaned}
shift $(($# < 3 ? $# : 3))
accel=${QEMU_ACCEL:-kvm}
dev=/sys/bus/mdev/devices/$uuid
[ -e "$disk" ] || { echo "qemu-vgpu: no disk image $disk" >&2; exit 1; }
[ -e "$dev" ] || { echo "qemu-vgpu: no vGPU $uuid ($dev)" >&2; exit 1; }

case $mode in
vplaned) display="display=off"; ui="-display none" ;;
qemu) display="display=on"; ui="-display gtk,gl=on" ;;
*) echo "qemu-vgpu: third argument is vplaned or qemu, not '$mode'" >&2; exit 1 ;;
esac
case $accel in
kvm) cpu=host ;;
tcg) cpu=max ;;
*) echo "qemu-vgpu: QEMU_ACCEL is kvm or tcg, not '$accel'" >&2; exit 1 ;;
esac

links=/dev/input/by-vplane/$uuid
input=""
if [ -e "$links-kbd" ] && [ -e "$links-head0" ]; then
	input="-object input-linux,id=vplane-kbd,evdev=$links-kbd,grab_all=on,repeat=on
		-object input-linux,id=vplane-head0,evdev=$links-head0
		-device virtio-keyboard-pci -device virtio-tablet-pci"
	h=1
	while [ -e "$links-head$h" ]; do
		input="$input -device virtio-input-host-pci,evdev=$links-head$h"
		h=$((h + 1))
	done
else
	echo "qemu-vgpu: no $links-kbd (udev rule 60-vplane.rules): no input" >&2
fi

# -vga none: the vGPU is the guest's display, not QEMU's emulated VGA.
# -m: guest RAM planes are pinned through VFIO type1, which QEMU maps for
# every vfio-pci device by itself.
exec qemu-system-x86_64 -machine q35,accel="$accel" -cpu $cpu -smp 2 \
	-m "${QEMU_MEM:-4G}" -vga none $ui \
	-device vfio-pci,sysfsdev="$dev",$display $input \
	-drive file="$disk",if=virtio "$@"
