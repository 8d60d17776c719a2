#!/bin/bash
# SPDX-License-Identifier: MIT
# build-debs.sh OUTDIR: the Debian packages of this work tree, built in a
# clean Debian root (tests/packaging/debroot.sh: mmdebstrap's buildd
# variant of the host's release, from the host's apt sources) into which
# only `apt-get build-dep` of the tree's debian/control installed anything,
# so a Build-Depends missing from debian/control fails the build here as
# it would on a buildd. The files git knows (tracked, plus new files not
# ignored, so uncommitted work counts) are copied into the root and
# `dpkg-buildpackage -b -uc -us` runs there. OUTDIR gets the .debs, the
# .changes and the .buildinfo, and nothing else. Needs root (chroot).
#
# The root after build-dep is cached, keyed on debian/control and the base
# root (debroot.sh), so a rerun only unpacks it and builds.
set -euo pipefail
out=${1:?usage: build-debs.sh OUTDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=debroot.sh
. "$src/tests/packaging/debroot.sh"

for t in git cpio mmdebstrap chroot flock; do
	command -v "$t" >/dev/null || {
		echo "build-debs: $t not found (tests/deps.sh installs it)" >&2
		exit 1
	}
done
[ "$(id -u)" = 0 ] || {
	echo "build-debs: needs root (the clean build root is a chroot)" >&2
	exit 1
}
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || {
	echo "build-debs: $src is not a git work tree" >&2
	exit 1
}

tmp=$(mktemp -d /tmp/vplane-debs.XXXXXX)
root=$tmp/root
trap 'debroot_remove "$tmp"' EXIT

start=$(date +%s)
base=$(debroot_base buildd)
key=$({ basename "$base"; cat "$src/debian/control"; } |
	sha256sum | cut -c1-16)
if cached=$(debroot_cached "build-$key"); then
	debroot_enter "$cached" "$root"
	echo "build-debs: the build root (build-dep of this debian/control) from the cache"
else
	debroot_enter "$base" "$root"
	# build-dep reads debian/ only; the root is saved before the source
	# goes in
	mkdir -p "$root/tmp/deps"
	cp -r "$src/debian" "$root/tmp/deps/"
	debroot_run "$root" apt-get build-dep -q /tmp/deps >"$tmp/build-dep.log" 2>&1 || {
		tail -n 40 "$tmp/build-dep.log" >&2
		echo "build-debs: apt-get build-dep failed (log above)" >&2
		exit 1
	}
	echo "build-debs: apt-get build-dep installed" \
		"$(grep -c '^Setting up ' "$tmp/build-dep.log" || true) packages"
	rm -rf "$root/tmp/deps"
	debroot_save "$root" "build-$key"
fi
echo "build-debs: the build root took $(($(date +%s) - start)) s"

mkdir -p "$root/build/vplane"
# -z: any file name; files deleted in the work tree but still tracked are
# left out (cpio would fail on them)
git -C "$src" ls-files -z --cached --others --exclude-standard |
	(cd "$src" && while IFS= read -r -d '' f; do
		[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
	done) |
	(cd "$src" && cpio --quiet -0 -pdm "$root/build/vplane")

start=$(date +%s)
debroot_run "$root" sh -c 'cd /build/vplane && dpkg-buildpackage -b -uc -us' \
	>"$tmp/build.log" 2>&1 || {
	tail -n 60 "$tmp/build.log" >&2
	echo "build-debs: dpkg-buildpackage failed in the clean root (log above)" >&2
	exit 1
}
secs=$(($(date +%s) - start))

mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mv "$root"/build/*.deb "$root"/build/*.changes "$root"/build/*.buildinfo "$out"/
echo "build-debs: dpkg-buildpackage -b -uc -us took ${secs} s:"
(cd "$out" && ls -1 ./*.deb)
