#!/usr/bin/env bash
# `tests/bench/run micro`: the Google Benchmark binaries (release preset), each figure beside
# its same-run baseline as a ratio. Usage: tests/bench/micro.sh [--filter REGEX] [--json]
# [--no-build]. Exit codes: 0 ran, 1 a build or benchmark failed, 2 usage.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

filter=. json=0 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) filter=${2:?--filter needs a regex}; shift 2 ;;
    --json) json=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# //'; exit 0 ;;
    *) echo "tests/bench/micro.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

cd "$PIFLEET_ROOT"
if [ "$build" = 1 ]; then
  step "building the release preset's benchmarks" >&2
  nice bash -c "source scripts/lib.sh && build_preset release --target bench_wire bench_store bench_snapshot bench_state_snapshot" >&2
fi
out=build/release/bench-results
mkdir -p "$out"
for bench in build/release/bench/bench_*; do
  name=$(basename "$bench")
  [[ "$name" =~ $filter ]] || continue
  step "$name" >&2
  "$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/$name.json" --benchmark_out_format=json >&2
done

# Ratio lines: each benchmark named BM_X against the one named BM_*Baseline in the same binary.
python3 - "$out" "$json" <<'PY'
import json, pathlib, sys
out, as_json = pathlib.Path(sys.argv[1]), sys.argv[2] == "1"
rows = []
for path in sorted(out.glob("*.json")):
    medians = {b["run_name"]: b["real_time"] for b in json.loads(path.read_text())["benchmarks"]
               if b.get("aggregate_name") == "median"}
    baselines = {k: v for k, v in medians.items() if "Baseline" in k}
    for name, t in medians.items():
        if name in baselines:
            continue
        for base, bt in baselines.items():
            rows.append({"binary": path.stem, "benchmark": name, "baseline": base,
                         "median_ns": t, "baseline_median_ns": bt, "ratio": t / bt})
if as_json:
    print(json.dumps(rows, indent=2))
else:
    for r in rows:
        print(f"{r['binary']}: {r['benchmark']} {r['median_ns']:.0f} ns vs {r['baseline']} "
              f"{r['baseline_median_ns']:.0f} ns  ratio {r['ratio']:.2f}")
PY
