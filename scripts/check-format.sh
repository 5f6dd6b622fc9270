#!/usr/bin/env bash
# Fails when any tracked C++ file differs from what .clang-format makes of it (run by CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find . -name '*.cc' -o -name '*.h' | grep -v '^./build')
if ((${#files[@]} == 0)); then
  echo "no C++ files found" >&2
  exit 1
fi
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
