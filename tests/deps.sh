#!/bin/bash
# Installs, with apt-get, whatever vplane's build, tests and demo need and
# this machine lacks; prints what it installs. Idempotent: a machine that has
# everything is left alone and nothing is downloaded.
set -euo pipefail

packages=(
	# build
	gcc make meson ninja-build pkg-config python3 libc6-dev libdrm-dev
	# the tree's files (tests/packaging/build-debs.sh copies what git
	# lists with cpio; tests/unit/format-check.sh, deps-check.py)
	git cpio
	# tests/unit/deps-check.py: parses every shell script (shfmt's syntax
	# tree) to check each program it runs is installed by this list
	shfmt
	# vplaned: wlroots 0.15 and the Wayland stack
	libwlroots-dev wayland-protocols libwayland-dev libpixman-1-dev
	libxkbcommon-dev
	# out-of-tree kernel modules against Debian's headers (gcc-12, kmod),
	# and the harness's fixes to them and to the debug kernel (patch:
	# tests/vm/kmod-patches, tests/vm/debug-patches)
	gcc-12 kmod bc patch
	# modules' BTF against the 6.12+ headers, which ship a vmlinux (pahole)
	dwarves
	# the debug kernel (tests/vm/vmrun debug-kernel)
	flex bison libelf-dev libssl-dev
	# the VM harness: kernel download and unpack, QEMU, stage-1 userspace
	apt dpkg xz-utils qemu-system-x86 busybox-static
	# tools the in-guest tests use from the host's root
	iproute2 procps coreutils util-linux drm-info
	# real clients and a seat for vplaned in the VM
	seatd grim wayland-utils wayvnc gvncviewer wlr-randr
	# the desktop vplaned --backend wayland nests in (server-nested)
	sway
	# encoders/ (issue 7): GStreamer, the RTSP server, software encoders
	# (x264enc: ugly; openh264enc, h264parse: bad), and the RTSP client
	# the stream tests pull with
	libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
	libgstrtspserver-1.0-dev gstreamer1.0-plugins-base
	gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
	gstreamer1.0-plugins-bad gstreamer1.0-tools ffmpeg
	# RTSPS: gnutls (the key-matches-certificate check), openssl (the
	# test's self-signed certificate)
	libgnutls28-dev openssl
	# the WebRTC transport (webrtcbin, libnice, libsoup 3, json-glib) and
	# the browser its test views it with
	libgstreamer-plugins-bad1.0-dev gstreamer1.0-nice libnice-dev
	libsoup-3.0-dev libjson-glib-dev chromium
	# the WebRTC test's HTTP client (tests/vm/guest/stream/webrtc.sh)
	curl
	# the stream checker (PSNR of decoded frames)
	python3-numpy
	# demo step 4's optional CPU load in the guest (examples/demo/vdi.sh,
	# VPLANE_DEMO_LOAD=N): the latency under load is measured with it
	stress-ng
	# Debian packaging (debian/) and its tests: the package build, lintian,
	# DKMS and udev (the install VM group runs real udevd and dkms)
	debhelper dh-dkms dkms lintian fakeroot udev help2man
	# the packages test's clean Debian roots (tests/packaging/debroot.sh)
	mmdebstrap
	# examples/vmm: libvirt's schema check of the domain example
	libvirt-clients
	# the unit suite under valgrind, and the formatter
	clang-format
	valgrind
)

# The VM harness resolves the kernel from apt's lists: make sure there are
# some, and that they are not so old that the archive dropped their kernel.
lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -n 1)
if [ -z "$lists" ] && [ "$(id -u)" -eq 0 ]; then
	echo "deps: apt lists missing or older than a day: apt-get update"
	apt-get update -q
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root (or install them) to continue" >&2
	exit 1
fi
echo "deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
	echo "deps: apt-get install failed for: ${missing[*]}" >&2
	exit 1
fi
echo "deps: installed: ${missing[*]}"
