#!/usr/bin/env bash
# The tidy check (issue 18; TigerBeetle's tidy): in agent/ and hal/ no file over FILE_LINES_MAX
# lines, and clang-tidy clean on the check set in .clang-tidy (bugprone, performance, and
# readability checks including function size <= 70 lines).
# Usage: check_tidy.sh SOURCE_DIR BUILD_DIR [FILE...]   (BUILD_DIR holds compile_commands.json;
# without FILEs every .cc under agent/ and hal/ is checked). Exit 0 clean, 1 findings, 2 usage.
set -uo pipefail
FILE_LINES_MAX=${FILE_LINES_MAX:-400}

[ $# -ge 2 ] || { echo "usage: check_tidy.sh SOURCE_DIR BUILD_DIR [FILE...]" >&2; exit 2; }
src=$1 build=$2; shift 2
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json" >&2; exit 2; }
command -v clang-tidy > /dev/null || { echo "tidy: clang-tidy is not installed (scripts/setup)" >&2; exit 2; }

if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(cd "$src" && find agent hal -name '*.cc' -o -name '*.h' | sort)
fi
failed=0

# 1. File sizes.
for f in "${files[@]}"; do
  path=$f; [ -f "$path" ] || path=$src/$f
  lines=$(wc -l < "$path")
  if [ "$lines" -gt "$FILE_LINES_MAX" ]; then
    echo "tidy: $f has $lines lines (at most $FILE_LINES_MAX: split it by concept)"
    failed=1
  fi
done

# 2. clang-tidy on the translation units (headers through HeaderFilterRegex), two at a time.
units=()
for f in "${files[@]}"; do
  case "$f" in *.cc) path=$f; [ -f "$path" ] || path=$src/$f; units+=("$(realpath "$path")") ;; esac
done
if [ ${#units[@]} -gt 0 ]; then
  log=$(mktemp); trap 'rm -f "$log"' EXIT
  printf '%s\n' "${units[@]}" | xargs -P 2 -n 4 clang-tidy -p "$build" --quiet \
    --config-file="$src/.clang-tidy" --extra-arg=-Wno-unknown-warning-option > "$log" 2>&1
  if grep -qE '(warning|error): ' "$log"; then
    grep -E -A3 '(warning|error): ' "$log" | grep -v '^--$'
    echo "tidy: clang-tidy findings above"
    failed=1
  fi
fi
[ "$failed" -eq 0 ] && echo "tidy: ${#files[@]} files within $FILE_LINES_MAX lines, clang-tidy clean"
exit "$failed"
