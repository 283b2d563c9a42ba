#!/usr/bin/env bash
# Cluster figures on loopback with the release build (fsync on): a 3-voter cluster of real
# agents, then
#   1. single-client put latency, p50 and p99 (one client process, sequential puts),
#   2. failover: kill -9 of the leader to the next acknowledged put, median of 10 rounds,
#   3. idle RSS and CPU of the leader and of a follower over 60 s.
# Usage: tests/bench/cluster_bench.sh [--puts N] [--rounds N] [--idle-s N] [--no-build]
# Exit codes: 0 measured, 1 a step failed, 2 usage.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

puts=1000 rounds=10 idle_s=60 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --puts) puts=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --idle-s) idle_s=${2:?}; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster_bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

cd "$PIFLEET_ROOT"
if [ "$build" = 1 ]; then
  step "building the release preset (pifleet, pifleet-kv-client)" >&2
  build_preset release --target pifleet pifleet-kv-client >&2
fi
export PIFLEET=$PIFLEET_ROOT/build/release/pifleet
KV_CLIENT=$PIFLEET_ROOT/build/release/pifleet-kv-client
[ -x "$PIFLEET" ] && [ -x "$KV_CLIENT" ] || { echo "no release build in build/release" >&2; exit 1; }
source "$PIFLEET_ROOT/tests/cluster/lib.sh"

step "3 voters on 127.0.0.1 ($("$PIFLEET" --version | head -n 1))"
start_agent 1 --seed --voters 3
wait_until 20 has_leader 1 || fail "the seed did not come up"
start_agent 2 --join "$(addr 1)"
start_agent 3 --join "$(addr 1)"
wait_until 60 is_voter_count 1 3 || fail "autopilot did not make 3 voters"
all=$(endpoints 1 2 3)

step "1. single-client put latency ($puts sequential puts through the leader)"
leader=$(leader_node 1 2 3) || fail "no leader"
"$KV_CLIENT" --endpoints "$(addr "$leader")" --key-file "$WORK/cluster.key" latency 50 > /dev/null
"$KV_CLIENT" --endpoints "$(addr "$leader")" --key-file "$WORK/cluster.key" latency "$puts" |
  tee "$WORK/latency.txt"
followers=()
for n in 1 2 3; do [ "$n" = "$leader" ] || followers+=("$n"); done
echo "through a follower (forwarded to the leader):"
"$KV_CLIENT" --endpoints "$(addr "${followers[0]}")" --key-file "$WORK/cluster.key" latency "$puts"

step "2. failover: kill -9 of the leader to the next acknowledged put ($rounds rounds)"
for round in $(seq 1 "$rounds"); do
  wait_until 30 is_voter_count 1 3 || fail "round $round: 3 voters expected"
  leader=$(leader_node 1 2 3) || fail "round $round: no leader"
  survivors=()
  for n in 1 2 3; do [ "$n" = "$leader" ] || survivors+=("$n"); done
  sleep 2  # heartbeats flowing again after the previous round's restart
  ms=$("$KV_CLIENT" --endpoints "$(endpoints "${survivors[@]}")" --key-file "$WORK/cluster.key" \
    failover "${PIDS[$leader]}") || fail "round $round: no put acknowledged after the kill"
  wait "${PIDS[$leader]}" 2> /dev/null || true
  unset "PIDS[$leader]"
  echo "round $round: killed node $leader, ${ms#failover_ms }"
  echo "${ms#failover_ms }" >> "$WORK/failover.txt"
  start_agent "$leader"
  target=$(field "${survivors[0]}" applied_slot)
  caught_up() { [ "$(field "$leader" applied_slot)" -ge "$target" ] 2> /dev/null; }
  wait_until 60 caught_up || fail "round $round: node $leader did not catch up"
done
sort -n "$WORK/failover.txt" | python3 -c "
import statistics, sys
ms = [float(line) for line in sys.stdin]
print(f'failover over {len(ms)} rounds: median {statistics.median(ms):.0f} ms, '
      f'min {min(ms):.0f} ms, max {max(ms):.0f} ms')"

step "3. idle agents: RSS and CPU over ${idle_s} s, no client traffic"
sleep 5
leader=$(leader_node 1 2 3) || fail "no leader"
follower=1
[ "$leader" = 1 ] && follower=2
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A before=()
for n in "$leader" "$follower"; do before[$n]=$(ticks_of "${PIDS[$n]}"); done
sleep "$idle_s"
hz=$(getconf CLK_TCK)
for n in "$leader" "$follower"; do
  role=follower
  [ "$n" = "$leader" ] && role=leader
  used=$(( $(ticks_of "${PIDS[$n]}") - before[$n] ))
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/${PIDS[$n]}/status")
  python3 -c "print(f'idle $role (node $n): RSS {$rss / 1024:.1f} MiB, CPU {100 * $used / $hz / $idle_s:.2f} % of a core ($used ticks of 1/$hz s in $idle_s s)')"
done
