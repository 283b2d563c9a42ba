#!/usr/bin/env bash
# Snapshots between real agents: 3 voters take more than one snapshot interval of writes, so
# every node stores a snapshot and compacts its WAL; a node that joins afterwards can only catch
# up by pulling the snapshot in chunks from a peer (the log below it is gone), then serves the
# first and the last write with local reads; a voter killed with -9 restarts from its own
# snapshot + WAL and reads them too. A `key install` runs before the writes, so the late node
# learns the key only from the snapshot: it must list it and `key use` must then succeed
# without a second install (docs/security.md).
source "$(dirname "$0")/lib.sh"
kv_client=${PIFLEET_KV_CLIENT:?set PIFLEET_KV_CLIENT to the pifleet-kv-client binary}
puts=1100  # above the agent's snapshot interval of 1000 slots (agent/daemon)

start_agent 1 --seed --voters 3
wait_until 20 has_leader 1 || fail "the seed did not come up"
for n in 2 3; do start_agent "$n" --join "$(addr 1)"; done
wait_until 90 is_voter_count 1 3 || fail "autopilot did not make 3 voters"

# key_field NODE ID FIELD: a field of `key list --json` for key ID, as node NODE sees it.
key_field() {
  CLI_NODE=$1 cli --endpoints "$(addr "$1")" key list --json 2> /dev/null | python3 -c "
import json, sys
for key in json.load(sys.stdin):
    if key['key_id'] == '$2': print(str(key['$3']).lower())"
}
keygen_distinct "$WORK/new.key" "$WORK/cluster.key"
install_out=$(cli --endpoints "$(endpoints 1 2 3)" key install "$WORK/new.key") ||
  fail "key install failed: $install_out"
new_id=${install_out##* }
echo "$install_out, before the snapshot"

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

# The key came to node 4 in the snapshot only (its key file holds just the first key).
[ "$(key_field 4 "$new_id" key_id)" = "$new_id" ] ||
  fail "node 4 does not list key $new_id: $(CLI_NODE=4 cli --endpoints "$(addr 4)" key list)"
grep -q "$(cat "$WORK/new.key")" "$WORK/n4/keyring" || fail "node 4 did not persist key $new_id"
on_all_four() { [ "$(key_field 4 "$new_id" installed_on)" = 4 ]; }
wait_until 30 on_all_four || fail "node 4 does not see key $new_id on all 4 members: $(
  CLI_NODE=4 cli --endpoints "$(addr 4)" key list)"
CLI_NODE=4 cli --endpoints "$(addr 4)" key use "$new_id" ||
  fail "key use $new_id refused after node 4 caught up from the snapshot"
sends_with_new() { [ "$(key_field 4 "$new_id" primary_on)" = 4 ]; }
wait_until 30 sends_with_new || fail "not every node sends with key $new_id"
echo "node 4 listed key $new_id from the snapshot; key use $new_id succeeded without a second install"
for n in 1 2 3 4; do  # snapshots hold the keyring: private to the agent
  [ "$(stat -c %a "$WORK/n$n/snap")" = 700 ] || fail "node $n: snap/ is not mode 0700"
  for f in "$WORK/n$n"/snap/*.snap; do
    [ "$(stat -c %a "$f")" = 600 ] || fail "$f is not mode 0600"
  done
done

kill_agent 2
start_agent 2
wait_until 60 serves_all 2 || fail "node 2 did not come back from its snapshot + WAL"
[ "$(grep -c "state restored from a snapshot" "$WORK/n2.log")" -ge 1 ] ||
  fail "node 2 restarted without its snapshot"
echo "node 2 restarted after kill -9 from its snapshot + WAL"
check_logs_clean
echo "snapshot_catchup_test: ok"
