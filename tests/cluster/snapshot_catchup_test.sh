#!/usr/bin/env bash
# Snapshots between real agents: 3 voters take more than one snapshot interval of writes, so
# every node stores a snapshot and compacts its WAL; a node that joins afterwards can only catch
# up by pulling the snapshot in chunks from a peer (the log below it is gone), then serves the
# first and the last write with local reads; a voter killed with -9 restarts from its own
# snapshot + WAL and reads them too.
source "$(dirname "$0")/lib.sh"
kv_client=${PIFLEET_KV_CLIENT:?set PIFLEET_KV_CLIENT to the pifleet-kv-client binary}
puts=1100  # above the agent's snapshot interval of 1000 slots (agent/daemon)

start_agent 1 --seed --voters 3
wait_until 20 has_leader 1 || fail "the seed did not come up"
for n in 2 3; do start_agent "$n" --join "$(addr 1)"; done
wait_until 90 is_voter_count 1 3 || fail "autopilot did not make 3 voters"

"$kv_client" --endpoints "$(endpoints 1 2 3)" --key-file "$WORK/cluster.key" latency "$puts" \
  > "$WORK/puts.out" || fail "the writer failed: $(cat "$WORK/puts.out")"
echo "wrote $puts keys: $(cat "$WORK/puts.out")"
for n in 1 2 3; do
  wait_until 30 grep -q "snapshot stored" "$WORK/n$n.log" || fail "node $n stored no snapshot"
done
target=$(field 1 applied_slot)

local_get() {  # local_get NODE KEY
  CLI_NODE=$1 cli --endpoints "$(addr "$1")" kv get "$2" --consistency local 2> /dev/null
}
serves_all() {  # serves_all NODE: the first and last write, and the applied slot
  [ "$(local_get "$1" latency/0)" = x ] && [ "$(local_get "$1" "latency/$((puts - 1))")" = x ] &&
    [ "$(field "$1" applied_slot)" -ge "$target" ]
}

start_agent 4 --join "$(addr 1)"
wait_until 90 serves_all 4 || fail "node 4 did not catch up to slot $target: $(tail -n 5 "$WORK/n4.log")"
grep -q "state restored from a snapshot" "$WORK/n4.log" || fail "node 4 caught up without a snapshot"
echo "node 4 joined after the snapshot, installed it and caught up to slot $target"

kill_agent 2
start_agent 2
wait_until 60 serves_all 2 || fail "node 2 did not come back from its snapshot + WAL"
[ "$(grep -c "state restored from a snapshot" "$WORK/n2.log")" -ge 1 ] ||
  fail "node 2 restarted without its snapshot"
echo "node 2 restarted after kill -9 from its snapshot + WAL"
check_logs_clean
echo "snapshot_catchup_test: ok"
