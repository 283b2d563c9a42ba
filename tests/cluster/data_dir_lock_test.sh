#!/usr/bin/env bash
# One process per data dir (issue 13, loss 2): while node 1 runs, a second agent on its data
# dir and `pifleet repair` on it exit 1 at once, naming the data dir and node 1's PID; node 1
# keeps serving writes and its WAL stays whole (a clean restart recovers it).
source "$(dirname "$0")/lib.sh"

start_agent 1 --seed --voters 3
wait_until 20 has_leader 1 || fail "the seed did not come up"
cli --endpoints "$(addr 1)" kv put before one > /dev/null || fail "first write"
pid=${PIDS[1]}

# second_try CMD...: runs CMD with a 10 s limit; sets rc and out.
second_try() {
  rc=0
  out=$(timeout 10 "$@" 2>&1) || rc=$?
}

second_try "$PIFLEET" agent --data-dir "$WORK/n1" --listen "$(addr 2)" \
  --key-file "$WORK/cluster.key" --name twin --metrics-listen ""
[ "$rc" = 1 ] || fail "a second agent on n1's data dir exited $rc, want 1: $out"
grep -q "data dir $WORK/n1 is in use: $WORK/n1/LOCK is held by PID $pid" <<< "$out" ||
  fail "the second agent does not name the data dir and PID $pid: $out"
echo "second agent refused: $(grep -o 'data dir.*' <<< "$out" | head -1)"

second_try "$PIFLEET" repair --data-dir "$WORK/n1" --yes
[ "$rc" = 1 ] || fail "repair on a live data dir exited $rc, want 1: $out"
grep -q "is held by PID $pid" <<< "$out" || fail "repair does not name PID $pid: $out"
echo "repair refused: $out"

kill -0 "$pid" || fail "node 1 died"
cli --endpoints "$(addr 1)" kv put after two > /dev/null || fail "node 1 stopped taking writes"
[ "$(cli --endpoints "$(addr 1)" kv get before)" = one ] || fail "lost a write"

# After a clean stop the lock is free again and the WAL recovers.
stop_agent 1 || fail "node 1 did not stop cleanly"
second_try "$PIFLEET" repair --data-dir "$WORK/n1"
[ "$rc" = 0 ] || fail "repair on the stopped node exited $rc: $out"
grep -q "Nothing to repair" <<< "$out" || fail "the WAL of node 1 is damaged: $out"
start_agent 1
wait_until 20 has_leader 1 || fail "node 1 did not come back"
[ "$(cli --endpoints "$(addr 1)" kv get after)" = two ] || fail "lost a write after restart"
echo "PASS"
