#!/bin/bash
# Shared first step of the project's commands: install what is missing,
# fetch the test kernel into the cache, configure and build.
#   tests/build.sh [meson setup options...]
# The build dir is $VPLANE_BUILD_DIR, default build/ in the tree.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${VPLANE_BUILD_DIR:-$src/build}

"$src/tests/deps.sh"
"$src/tests/vm/vmrun" prepare
if [ -f "$build/build.ninja" ]; then
	meson setup --reconfigure "$@" "$build" "$src" >/dev/null
else
	meson setup "$@" "$build" "$src"
fi
meson compile -C "$build"
