#!/bin/bash
# SPDX-License-Identifier: MIT
# socket-modes.sh VPLANED SHIM: every unix socket vplaned listens on for
# privileged clients (the control socket, --vfio-socket) is 0600 the
# moment bind() creates it, under the caller's usual umask 022: no
# window in which another user could connect before a chmod. The shim
# (bind_mode_shim.so, LD_PRELOAD) logs each socket's mode right after
# bind. Runs vplaned's headless backend on the host (no vGPU needed).
set -uo pipefail
vplaned=${1:?usage: socket-modes.sh VPLANED SHIM}
shim=$(realpath "${2:?usage: socket-modes.sh VPLANED SHIM}")
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -m 700 "$tmp/run"
umask 022
export VP_BIND_MODE_LOG=$tmp/binds XDG_RUNTIME_DIR=$tmp/run WLR_RENDERER=pixman
LD_PRELOAD=$shim "$vplaned" --backend headless --socket vp-modes \
	--vfio-socket "$tmp/run/vfio.sock" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q 'accepting VFIO device fds' "$tmp/log" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
grep -q 'accepting VFIO device fds' "$tmp/log" || { cat "$tmp/log"; echo "FAIL: vplaned did not start"; exit 1; }
cat "$tmp/binds"
bad=0
for want in "$tmp/run/vp-modes-control" "$tmp/run/vfio.sock"; do
	mode=$(awk -v p="$want" '$2 == p { print $1 }' "$tmp/binds")
	if [ -z "$mode" ]; then
		echo "FAIL: no bind of $want seen"
		bad=1
	elif [ "$mode" != 0600 ]; then
		echo "FAIL: $want was $mode when bound (others could connect before a chmod)"
		bad=1
	else
		echo "ok: $want 0600 from bind on"
	fi
done
exit $bad
