#!/bin/bash
# SPDX-License-Identifier: MIT
# packages.sh BUILDDIR: the Debian packages build from a clean copy of the
# work tree (tests/packaging/build-debs.sh) and lintian finds no error and
# no warning in them (a warning that must stay needs a lintian override
# with a comment saying why). The .debs stay in BUILDDIR/debs, where the
# 'install' VM group takes them from.
set -euo pipefail
build=${1:?usage: packages.sh BUILDDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/debs

for t in dpkg-buildpackage lintian dpkg-checkbuilddeps; do
	command -v "$t" >/dev/null || {
		echo "packages: $t not found: tests/deps.sh installs it" >&2
		exit 1
	}
done
# the build dependencies, checked up front so a missing one is named
(cd "$src" && dpkg-checkbuilddeps) || {
	echo "packages: build dependencies missing (tests/deps.sh installs them)" >&2
	exit 1
}

"$src/tests/packaging/build-debs.sh" "$out"

for p in vplane-dkms vplaned libvplane0 libvplane-dev; do
	ls "$out/${p}_"*.deb >/dev/null 2>&1 || {
		echo "packages: no $p package was built" >&2
		exit 1
	}
done

start=$(date +%s)
rc=0
lintian --pedantic --fail-on error,warning "$out"/*.changes \
	>"$out/lintian.txt" 2>&1 || rc=$?
cat "$out/lintian.txt"
echo "packages: lintian took $(($(date +%s) - start)) s," \
	"$(grep -c '^E: ' "$out/lintian.txt" || true) errors," \
	"$(grep -c '^W: ' "$out/lintian.txt" || true) warnings"
[ "$rc" = 0 ] || { echo "packages: lintian failed (exit $rc)" >&2; exit 1; }
