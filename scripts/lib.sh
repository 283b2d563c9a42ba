# Shared by scripts/test and scripts/demo. Sourced, not run.
PIFLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PIFLEET_ROOT

step() { printf '\n==> %s\n' "$*"; }
elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# ccache, when installed (scripts/setup), with paths relative to the checkout so that another
# clone of the same sources hits the same cache entries.
export CCACHE_BASEDIR=$PIFLEET_ROOT CCACHE_NOHASHDIR=1
launcher_flags() {
  command -v ccache > /dev/null || return 0
  echo "-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
}

# Configure (once) and build a CMake preset. Extra arguments go to `cmake --build`.
build_preset() {
  local preset=$1; shift
  local start; start=$(date +%s)
  mkdir -p "$PIFLEET_ROOT/build"
  if [ ! -f "$PIFLEET_ROOT/build/$preset/CMakeCache.txt" ]; then
    # shellcheck disable=SC2046  # the flags are words on purpose
    cmake --preset "$preset" -S "$PIFLEET_ROOT" $(launcher_flags) \
      > "$PIFLEET_ROOT/build/$preset.configure.log" 2>&1 \
      || { cat "$PIFLEET_ROOT/build/$preset.configure.log"; return 1; }
  fi
  (cd "$PIFLEET_ROOT" && cmake --build --preset "$preset" "$@") \
    > "$PIFLEET_ROOT/build/$preset.build.log" 2>&1 \
    || { tail -n 60 "$PIFLEET_ROOT/build/$preset.build.log"; echo "build of preset $preset failed (log: build/$preset.build.log)"; return 1; }
  echo "built preset $preset in $(elapsed "$start")"
}
