#!/usr/bin/env bash
# Membership on loopback, with three clients writing throughout: a fourth node joins as a
# learner (the cluster already has its 3 voters); `pifleet leave` removes a voter (members shows
# it gone, writes continue) and the autopilot promotes the learner to keep 3 voters; then every
# node is restarted one at a time (SIGTERM, clean exit, start, catch up). No acknowledged write
# is lost (client-side ledger).
source "$(dirname "$0")/lib.sh"

# voting_of NODE ID: "voter", "learner" or "none" for node ID, as NODE's members table says;
# "absent" when the table has no row for it.
voting_of() {
  CLI_NODE=$1 cli --endpoints "$(addr "$1")" members --json 2> /dev/null | python3 -c "
import json, sys
rows = [r for r in json.load(sys.stdin) if str(r['node_id']) == '$2']
print(rows[0]['voting'] if rows else 'absent')"
}
is_voting() { [ "$(voting_of "$1" "$2")" = "$3" ]; }

start_agent 1 --seed --voters 3
wait_until 20 has_leader 1 || fail "the seed did not come up"
start_agent 2 --join "$(addr 1)"
start_agent 3 --join "$(addr 1)"
wait_until 60 is_voter_count 1 3 || fail "autopilot did not make 3 voters"
endpoints 1 2 3 > "$WORK/endpoints"
start_writers 1 2 3
wait_acks 10 60 || fail "fewer than 10 writes acknowledged with 3 voters"

echo "a fourth node joins: a learner, since the cluster has its 3 voters"
start_agent 4 --join "$(addr 1)"
id4=""
wait_until 30 eval 'id4=$(node_id 4); [ -n "$id4" ]' || fail "node 4 does not answer status"
wait_until 30 is_voting 1 "$id4" learner || fail "node 4 did not become a learner"
echo "node 4 ($id4) is a learner"
endpoints 1 2 3 4 > "$WORK/endpoints"
wait_acks 5 30 || fail "writes stopped when node 4 joined"

# Remove a voter that is not the leader, so the removal alone is what the cluster goes through.
leader=$(leader_node 1 2 3) || fail "no leader"
gone=3
[ "$leader" = 3 ] && gone=2
id_gone=$(node_id "$gone")
echo "pifleet leave $id_gone (node $gone); the leader is node $leader"
cli --endpoints "$(endpoints 1 2 3)" leave "$id_gone" || fail "leave refused"
wait_until 30 is_voting 1 "$id_gone" absent || fail "members still lists node $gone"
sees_removed() { [ "$(field "$gone" role)" = removed ]; }
wait_until 30 sees_removed || fail "node $gone does not see its removal"
# Written on the node's next maintenance tick, which may come after status first says removed.
wait_until 10 test -f "$WORK/n$gone/removed" || fail "node $gone did not record its removal in its data dir"
stop_agent "$gone" || fail "node $gone did not exit cleanly on SIGTERM after leaving"
# Restarted with --join, the removed node stays out.
start_agent "$gone" --join "$(addr "$leader")"
wait_until 30 grep -q "will not rejoin" "$WORK/n$gone.log" || fail "node $gone did not read its removal"
sleep 3
sees_removed || fail "node $gone rejoined after a restart: $(field "$gone" role)"
is_voting "$leader" "$id_gone" absent || fail "node $gone is back in the members table"
stop_agent "$gone" || fail "node $gone did not exit cleanly on SIGTERM after its restart"
kept=(1 2 3 4)
kept=("${kept[@]/$gone}")
read -r -a kept <<< "${kept[*]}"
endpoints "${kept[@]}" > "$WORK/endpoints"
wait_acks 5 30 || fail "writes stopped after the leave"
wait_until 60 is_voting 1 "$id4" voter || fail "the autopilot did not promote node 4"
wait_until 30 is_voter_count 1 3 || fail "the cluster does not have 3 voters after the promotion"
echo "node $gone removed; node 4 promoted: voters $(field 1 voters)"
CLI_NODE=1 cli --endpoints "$(addr 1)" members

echo "rolling restart of nodes ${kept[*]}, writes throughout"
for n in "${kept[@]}"; do
  stop_agent "$n" || fail "node $n did not exit cleanly on SIGTERM"
  before=$(acked_count)
  start_agent "$n"
  others=("${kept[@]/$n}")
  read -r -a others <<< "${others[*]}"
  target=$(field "${others[0]}" applied_slot)
  caught_up() { [ "$(field "$n" applied_slot)" -ge "$target" ] 2> /dev/null; }
  wait_until 60 caught_up || fail "node $n did not catch up to slot $target after its restart"
  wait_acks 5 30 || fail "writes stopped around the restart of node $n"
  echo "node $n restarted and caught up; $(( $(acked_count) - before )) writes acknowledged meanwhile"
done

stop_writers
wait_until 30 is_voter_count 1 3 || fail "3 voters expected after the rolling restart"
for n in "${kept[@]}"; do
  is_voting "$n" "$id_gone" absent || fail "node $n still lists the removed node"
done
check_ledger "$(endpoints "${kept[@]}")"
check_logs_clean
echo "membership_test: learner promoted, voter removed, rolling restart; $(acked_count) acknowledged writes, none lost"
