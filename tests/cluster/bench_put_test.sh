#!/usr/bin/env bash
# `pifleet bench put` (issue 20) and `bench get` against 3 voters on loopback: --json prints exactly one line
# with the contract's fields, puts were acknowledged and none failed, progress went to stderr;
# the table for people; bounds refused with exit 2 before anything is sent; exit 1 when no
# agent answers.
source "$(dirname "$0")/lib.sh"

start_three_voters
all=$(endpoints 1 2 3)

cli --endpoints "$all" bench put --clients 4 --duration-s 2 --json > "$WORK/out" 2> "$WORK/err" ||
  fail "bench put --json exited $?: $(cat "$WORK/err")"
[ "$(wc -l < "$WORK/out")" -eq 1 ] || fail "--json printed $(wc -l < "$WORK/out") lines: $(cat "$WORK/out")"
python3 - "$(cat "$WORK/out")" <<'PY' || fail "--json line: $(cat "$WORK/out")"
import json, sys
d = json.loads(sys.argv[1])
assert list(d) == ["clients", "ops", "throughput_per_s", "p50_ms", "p99_ms", "errors"], list(d)
assert d["clients"] == 4 and d["ops"] > 0 and d["errors"] == 0, d
# ops over about 2 s of measuring (start-up excluded), and latencies that are ordered.
assert 0.3 * d["ops"] < d["throughput_per_s"] <= d["ops"], d
assert 0 < d["p50_ms"] <= d["p99_ms"], d
PY
grep -q "^bench put: 1/2 s, [0-9]* puts" "$WORK/err" || fail "no progress line on stderr: $(cat "$WORK/err")"
echo "bench put --json: $(cat "$WORK/out")"

cli --endpoints "$(addr 2)" bench put --clients 1 --duration-s 1 --value-bytes 1000 > "$WORK/table" 2> /dev/null ||
  fail "bench put (table) exited $?"
grep -q "throughput .* puts/s" "$WORK/table" && grep -q "values of 1000 bytes" "$WORK/table" ||
  fail "table: $(cat "$WORK/table")"

# bench get: through the log, and under the leader's lease with the leader listed first; the
# lease reads are answered by the leader (its metrics count them).
leader=$(leader_node 1 2 3) || fail "no leader"
for consistency in log lease; do
  cli --endpoints "$(endpoints "$leader" 1 2 3)" bench get --consistency "$consistency" \
    --clients 2 --duration-s 1 --json > "$WORK/out" 2> "$WORK/err" ||
    fail "bench get --consistency $consistency exited $?: $(cat "$WORK/err")"
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ops"] > 0 and d["errors"] == 0, d' \
    "$(cat "$WORK/out")" || fail "bench get --consistency $consistency: $(cat "$WORK/out")"
  echo "bench get --consistency $consistency: $(cat "$WORK/out")"
done
served=$(cli --endpoints "$(addr "$leader")" metrics |
  awk '$1 == "pifleet_lease_reads_total{outcome=\"served\"}" { print $2 + 0 }')
[ "${served:-0}" -gt 0 ] || fail "the leader served no lease read"

# expect CODE TEXT ARGS...: `pifleet ARGS` exits CODE and its stderr holds TEXT.
expect() {
  local want=$1 text=$2 rc=0; shift 2
  "$@" > /dev/null 2> "$WORK/err" || rc=$?
  [ "$rc" = "$want" ] || fail "$* exited $rc, want $want: $(cat "$WORK/err")"
  grep -q -- "$text" "$WORK/err" || fail "$*: message lacks '$text': $(cat "$WORK/err")"
}
expect 2 "clients 0 is out of bounds" cli --endpoints "$all" bench put --clients 0
expect 2 "value-bytes 70000 is out of bounds" cli --endpoints "$all" bench put --value-bytes 70000
expect 2 "key-bytes 8 is out of bounds" cli --endpoints "$all" bench put --key-bytes 8
expect 2 "" cli --endpoints "$all" bench put --clients many
expect 2 "consistency" cli --endpoints "$all" bench get --consistency local
# No agent at this port: every client fails to start, exit 1 (not 3), and says why.
TIMEOUT_MS=500 expect 1 "could not start" cli --endpoints "127.0.0.1:$(port 9)" bench put \
  --clients 2 --duration-s 1
echo "bounds: exit 2; nobody listening: exit 1"
check_logs_clean
echo "PASS"
