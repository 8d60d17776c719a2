#!/bin/bash
# Every C file in the tree is formatted as .clang-format says (the house
# style: kernel-like, tabs, 80 columns). Fix with: clang-format -i <file>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if ! command -v clang-format >/dev/null; then
	echo "clang-format not found: apt-get install clang-format" >&2
	exit 1
fi
mapfile -t files < <(git ls-files '*.c' '*.h')
[ ${#files[@]} -gt 0 ] || { echo "no C files found" >&2; exit 1; }
clang-format --dry-run -Werror "${files[@]}"
echo "${#files[@]} files formatted"
