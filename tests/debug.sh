#!/bin/bash
# The VM suite on a debug kernel: Debian's 6.1 source built with KASAN,
# lockdep, kmemleak, UBSAN and DMA-API debugging. Builds that kernel once
# (about 20 minutes on 2 cores; cached in ~/.cache/vplane/debug-kernel),
# then runs the groups that drive the kernel module (driver, display, fuzz;
# tests/run.sh, and so CI, runs them too whenever the kernel is cached).
# A run fails on any KASAN/UBSAN/lockdep/DMA-API report or WARN/BUG, and on
# any kmemleak object from vplane. The other groups on that kernel:
# tests/run.sh vm-debug-extra (not part of this command's verdict yet).
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$src/tests/deps.sh"
"$src/tests/vm/vmrun" debug-kernel
exec "$src/tests/run.sh" vm-debug
