#!/bin/bash
# The whole vplane test suite, as CI runs it: installs what is missing,
# builds with warnings as errors, then runs the unit suite (host; again under
# valgrind, and again in a second build dir with ASan/UBSan: see
# docs/testing.md) and the VM suite (a real Debian 6.1 kernel under QEMU),
# with its driver, display and fuzz groups on Debian 13's 6.12 and the
# newest Debian kernel (vm-kernels).
# Exits non-zero on any failure;
# an in-guest skip is a failure here (VPLANE_STRICT=1).
#
#   tests/run.sh            everything
#   tests/run.sh unit       one suite (unit, vm, vm-kernels; on request
#                           also vm-kernels-extra, vm-debug-extra, ...)
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${VPLANE_BUILD_DIR:-$src/build}
start=$(date +%s)
# how long each part took, for the CI log (the budget is per whole run)
phase_start=$start
phase_done() {
	echo "tests: $1 took $(($(date +%s) - phase_start)) s"
	phase_start=$(date +%s)
}

"$src/tests/build.sh" -Dwerror=true
phase_done "installing and building"

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
	# vm-kernels (the driver, display and fuzz groups on Debian 13's 6.12
	# and the newest Debian kernel) runs on request for now: with it the
	# default run took 68 min here, over its 50 min budget
	# (docs/testing.md, "Which kernel"): tests/run.sh vm-kernels
	suites=(unit vm)
	# The debug-kernel suite (driver, display and fuzz groups on the
	# KASAN/lockdep/kmemleak kernel) joins whenever that kernel is cached
	# (tests/debug.sh builds it: 20-60 minutes, once). VPLANE_DEBUG_SUITE=0
	# leaves it out.
	if [ "${VPLANE_DEBUG_SUITE:-1}" = 0 ]; then
		echo "tests: NOT RUNNING the debug-kernel suite (VPLANE_DEBUG_SUITE=0)"
	elif "$src/tests/vm/vmrun" debug-kernel --cached; then
		suites+=(vm-debug)
	else
		echo "tests: NOT RUNNING the debug-kernel suite: no cached debug" \
			"kernel (tests/debug.sh builds it once and runs it)"
	fi
fi
# The newer kernels are fetched and their module trees prepared (once,
# cached; 5-10 min each the first time) before the suites that boot them,
# so that no group's time limit pays for it.
if [[ " ${suites[*]} " == *" vm-kernels"* ]]; then
	for k in debian13 newest; do "$src/tests/vm/vmrun" prepare --kernel "$k"; done
	phase_done "preparing the 6.12 and newest kernels"
fi
args=()
for s in "${suites[@]}"; do args+=(--suite "$s"); done

rc=0
# The Debian package tests (suite 'debs': clean-root package build and
# install, DKMS) mostly wait on the archive and dpkg, the VM groups on the
# CPU: the debs tests run beside the rest instead of before it (their
# first run makes Debian roots, ~15-45 min). Their own log, no rebuild
# (the build above is done), results joined at the end.
debs_pid=
if [[ " ${suites[*]} " == *" unit "* ]]; then
	echo "tests: the Debian package tests (suite debs) beside the others"
	VPLANE_STRICT=1 meson test -C "$build" --no-rebuild --suite debs \
		--print-errorlogs --logbase debs \
		>"$build/meson-logs/debs.out" 2>&1 &
	debs_pid=$!
	args+=(--no-suite debs)
fi
VPLANE_STRICT=1 meson test -C "$build" --verbose --print-errorlogs \
	"${args[@]}" || rc=$?
phase_done "the ${suites[*]} suites"
cp "$build/meson-logs/testlog.json" "$build/meson-logs/testlog-main.json"
if [[ " ${suites[*]} " == *" unit "* ]]; then
	echo "tests: the unit suite again under valgrind"
	# meson names the log <logbase>-<setup>.json
	meson test -C "$build" --setup valgrind --suite unit \
		--no-suite harness --no-suite packaging --no-suite gstreamer \
		--no-suite preload --print-errorlogs --logbase unit || rc=$?
	cat "$build/meson-logs/unit-valgrind.json" \
		>>"$build/meson-logs/testlog-main.json"
	phase_done "the valgrind pass"

	# and in a second build dir with ASan and UBSan (meson's b_sanitize):
	# the C unit tests, and the scripts that run the tree's programs
	# (vplaned, vp-stream-feed...); any report fails the test (the 'asan'
	# setup's ASAN_OPTIONS/UBSAN_OPTIONS). Not the python harness tests
	# nor the Debian package builds ('debs': dpkg-buildpackage builds its
	# own, unsanitized).
	asan=${VPLANE_ASAN_BUILD_DIR:-$build-asan}
	echo "tests: the unit suite again under ASan/UBSan ($asan)"
	asan_opts=(-Db_sanitize=address,undefined -Dwerror=true)
	if [ -f "$asan/build.ninja" ]; then
		meson setup --reconfigure "${asan_opts[@]}" "$asan" "$src" >/dev/null
	else
		meson setup "${asan_opts[@]}" "$asan" "$src" >/dev/null
	fi && meson compile -C "$asan" >"$asan/compile.log" 2>&1 || {
		tail -n 40 "$asan/compile.log" 2>/dev/null
		echo "tests: FAIL: the ASan/UBSan build failed" >&2
		rc=1
	}
	if [ -f "$asan/build.ninja" ]; then
		meson test -C "$asan" --setup asan --suite unit \
			--no-suite harness --no-suite debs --no-suite preload \
			--no-suite race \
			--print-errorlogs --logbase unit || rc=$?
		cat "$asan/meson-logs/unit-asan.json" \
			>>"$build/meson-logs/testlog-main.json"
	fi
	phase_done "the ASan/UBSan pass (its build included)"
fi

if [ -n "$debs_pid" ]; then
	echo "tests: waiting for the Debian package tests"
	wait "$debs_pid" || rc=1
	phase_done "waiting for the Debian package tests"
	cat "$build/meson-logs/debs.out"
	cat "$build/meson-logs/debs.json" >>"$build/meson-logs/testlog-main.json"
fi

python3 "$src/tests/summary.py" "$build/meson-logs/testlog-main.json" || rc=1
echo "tests: total time $(($(date +%s) - start)) s"
exit $rc
