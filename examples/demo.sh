#!/bin/bash
# vplane's end-to-end demo: installs what is missing, builds vplane and its
# kernel module, boots a real Debian 6.1 kernel under QEMU with vkms and
# vplane.ko, and shows each step of the display path as it runs.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${VPLANE_BUILD_DIR:-$src/build}

"$src/tests/build.sh"

echo "demo: booting the test VM (TCG: about 10 s to userspace)"
exec "$src/tests/vm/vmrun" run "$src/examples/demo/demo.txt" \
	--build "$build" --driver "$src/driver" --echo --show-logs
