#!/bin/bash
# The VM suite on a debug kernel: Debian's 6.1 source built with KASAN,
# lockdep, kmemleak, UBSAN and DMA-API debugging. Builds that kernel once
# (about 20 minutes on 2 cores; cached in ~/.cache/vplane/debug-kernel),
# then runs every VM group on it (tests/run.sh, and so CI, runs the driver,
# display and fuzz groups on it whenever it is cached). A run fails on any KASAN/UBSAN/lockdep/
# DMA-API report or WARN/BUG, and on any kmemleak object from vplane.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$src/tests/deps.sh"
"$src/tests/vm/vmrun" debug-kernel
exec "$src/tests/run.sh" vm-debug vm-debug-extra
