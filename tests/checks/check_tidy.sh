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
# A unit clean before with the same inputs (tidy_keys.py: command, source, every header it
# read, .clang-tidy, clang-tidy version; not the checkout's path) is not checked again: its
# stamp is in TIDY_CACHE_DIR (default ~/.cache/pifleet-tidy, shared by clones). TIDY_CACHE=0
# checks every unit.
units=()
for f in "${files[@]}"; do
  case "$f" in *.cc) path=$f; [ -f "$path" ] || path=$src/$f; units+=("$(realpath "$path")") ;; esac
done
cache=${TIDY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pifleet-tidy}
mkdir -p "$cache"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
checked=0 cached=0
if [ ${#units[@]} -gt 0 ]; then
  python3 "$(dirname "$0")/tidy_keys.py" "$src" "$build" "${units[@]}" > "$work/keys" \
    && [ "$(wc -l < "$work/keys")" -eq ${#units[@]} ] \
    || { echo "tidy: tidy_keys.py failed" >&2; exit 2; }
  : > "$work/todo"
  while read -r key unit; do
    if [ "${TIDY_CACHE:-1}" != 0 ] && [ "$key" != - ] && [ -f "$cache/$key" ]; then
      cached=$((cached + 1))
    else
      echo "$key $unit" >> "$work/todo"; checked=$((checked + 1))
    fi
  done < "$work/keys"
  # One clang-tidy per unit, its output in its own log; a clean unit leaves its stamp.
  export build src cache work
  # shellcheck disable=SC2016  # expanded by the inner shell
  xargs -P 2 -L 1 bash -c '
    log=$work/$(basename "$1").$$.log
    clang-tidy -p "$build" --quiet --config-file="$src/.clang-tidy" \
      --extra-arg=-Wno-unknown-warning-option "$1" > "$log" 2>&1
    if grep -qE "(warning|error): " "$log"; then mv "$log" "$log.findings"
    elif [ "$0" != - ]; then touch "$cache/$0"; fi' < "$work/todo"
  if compgen -G "$work/*.findings" > /dev/null; then
    cat "$work"/*.findings | grep -E -A3 '(warning|error): ' | grep -v '^--$'
    echo "tidy: clang-tidy findings above"
    failed=1
  fi
fi
[ "$failed" -eq 0 ] && echo "tidy: ${#files[@]} files within $FILE_LINES_MAX lines, clang-tidy clean" \
  "($checked units checked, $cached unchanged since clean)"
exit "$failed"
