#!/bin/bash
# vplane's end-to-end demo: installs what is missing, builds vplane and its
# kernel module, boots a real Debian 6.1 kernel under QEMU with vkms and
# vplane.ko, and shows each step of the display path as it runs, ending
# with a VDI host streaming two simulated guests to real viewers.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${VPLANE_BUILD_DIR:-$src/build}

"$src/tests/build.sh"

echo "demo: booting the test VM (TCG: about 10 s to userspace)"
rc=0
"$src/tests/vm/vmrun" run "$src/examples/demo/demo.txt" \
	--build "$build" --driver "$src/driver" --echo --show-logs || rc=$?
# the last step's one-screen summary, last on the screen
summary=$build/vm/debian/demo/summary.txt
if [ -f "$summary" ]; then
	echo
	cat "$summary"
	echo "(files under $build/vm/debian/demo/)"
fi
exit $rc
