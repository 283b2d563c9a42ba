#!/usr/bin/env bash
# Proves the tidy check can fail: a long file, a long function and a bugprone finding are each
# caught; a small clean file passes. Uses the same .clang-tidy and a tiny compile database.
set -eu
checker=$1 src=$2
tmp=$(mktemp -d); trap "rm -rf $tmp" EXIT; [ -n "${KEEP:-}" ] && trap - EXIT
mkdir -p "$tmp/agent"
cp "$src/.clang-tidy" "$tmp/.clang-tidy"
export TIDY_CACHE_DIR=$tmp/tidy-cache  # never the real cache
printf 'int Add(int a, int b) { return a + b; }\n' > "$tmp/agent/clean.cc"
{ echo 'int Long(int x) {'; for i in $(seq 1 75); do echo "  x += $i;"; done; echo '  return x;'; echo '}'; } \
  > "$tmp/agent/long_function.cc"
printf '#include <string>\n#include <utility>\nstd::size_t F(std::string s) {\n  std::string t = std::move(s);\n  return s.size() + t.size();\n}\n' \
  > "$tmp/agent/use_after_move.cc"
for i in $(seq 1 401); do echo "// line $i"; done > "$tmp/agent/long_file.h"
printf '[' > "$tmp/compile_commands.json"
first=1
for f in clean long_function use_after_move; do
  [ $first -eq 1 ] || printf ',' >> "$tmp/compile_commands.json"; first=0
  printf '{"directory":"%s","command":"c++ -std=c++20 -c agent/%s.cc","file":"agent/%s.cc"}' \
    "$tmp" "$f" "$f" >> "$tmp/compile_commands.json"
done
printf ']' >> "$tmp/compile_commands.json"
"$checker" "$tmp" "$tmp" agent/clean.cc > /dev/null || { echo "selftest: a clean file was rejected"; exit 1; }
for bad in long_function.cc use_after_move.cc long_file.h; do
  if "$checker" "$tmp" "$tmp" "agent/$bad" > /dev/null; then echo "selftest: missed agent/$bad"; exit 1; fi
done
echo "selftest: tidy check catches a 401-line file, a 76-line function and a use after move"
