#!/bin/bash
# SPDX-License-Identifier: MIT
# packages.sh BUILDDIR: the Debian packages
#  - build in a clean Debian root into which only `apt-get build-dep` of
#    debian/control installed anything (tests/packaging/build-debs.sh), so
#    Build-Depends must be complete;
#  - are lintian-clean: no error and no warning (a warning that must stay
#    needs a lintian override with a comment saying why);
#  - install with `apt-get install ./*.deb` into a clean root without
#    Recommends, where vplaned starts and every GStreamer element it creates
#    can be made (tests/packaging/install-check.sh), so Depends must be
#    complete.
# The roots are cached under ~/.cache/vplane/debroot (tests/packaging/
# debroot.sh). The .debs stay in BUILDDIR/debs, where the 'install' VM group
# takes them from. Needs root (chroot).
set -euo pipefail
build=${1:?usage: packages.sh BUILDDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/debs
t0=$(date +%s)

for t in lintian mmdebstrap; do
	command -v "$t" >/dev/null || {
		echo "packages: $t not found: tests/deps.sh installs it" >&2
		exit 1
	}
done

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

"$src/tests/packaging/install-check.sh" "$out"
echo "packages: total $(($(date +%s) - t0)) s"
