#!/bin/bash
# SPDX-License-Identifier: MIT
# build-debs.sh OUTDIR: the Debian packages of this work tree, built the way
# a clean clone builds them: the files git knows (tracked, plus new files not
# ignored, so uncommitted work counts) are copied into an empty directory
# and `dpkg-buildpackage -b -uc -us` runs there. OUTDIR gets the .debs, the
# .changes and the .buildinfo, and nothing else.
set -euo pipefail
out=${1:?usage: build-debs.sh OUTDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)

for t in git dpkg-buildpackage; do
	command -v "$t" >/dev/null || {
		echo "build-debs: $t not found (tests/deps.sh installs it)" >&2
		exit 1
	}
done
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || {
	echo "build-debs: $src is not a git work tree" >&2
	exit 1
}

tmp=$(mktemp -d /tmp/vplane-debs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/vplane"
# -z: any file name; files deleted in the work tree but still tracked are
# left out (cpio would fail on them)
git -C "$src" ls-files -z --cached --others --exclude-standard |
	(cd "$src" && while IFS= read -r -d '' f; do
		[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
	done) |
	(cd "$src" && cpio --quiet -0 -pdm "$tmp/vplane")

start=$(date +%s)
(cd "$tmp/vplane" && dpkg-buildpackage -b -uc -us) >"$tmp/build.log" 2>&1 || {
	tail -n 60 "$tmp/build.log" >&2
	echo "build-debs: dpkg-buildpackage failed (log above)" >&2
	exit 1
}
secs=$(($(date +%s) - start))

mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mv "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out"/
echo "build-debs: dpkg-buildpackage -b -uc -us took ${secs} s:"
(cd "$out" && ls -1 *.deb)
