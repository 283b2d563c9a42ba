#!/usr/bin/env bash
# Fails when a C++ file in the tree is not clang-format clean (style: .clang-format).
# Usage: check_format.sh SOURCE_DIR   (exit 0 clean, 1 unformatted, 2 no clang-format)
set -u
src=${1:?usage: check_format.sh SOURCE_DIR}
command -v clang-format >/dev/null || { echo "check_format: clang-format not found (scripts/setup installs it)"; exit 2; }
cd "$src" || exit 2
mapfile -t files < <(find agent hal tests provisioning image -path '*/fixtures' -prune -o \
  \( -name '*.h' -o -name '*.cc' \) -type f -print 2>/dev/null | sort)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ "${#bad[@]}" -gt 0 ]; then
  echo "check_format: ${#bad[@]} of ${#files[@]} files need clang-format -i:"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "check_format: ${#files[@]} files clean"
