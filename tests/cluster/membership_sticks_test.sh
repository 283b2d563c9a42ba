#!/usr/bin/env bash
# Issue 13 on loopback: membership that sticks, and clear answers.
# - `members` from a follower shows the leader's LAST HEARD (no "never" for a healthy voter),
#   and `members --json` stays valid JSON with a name holding quotes and backslashes;
# - a client and a joining node with the wrong key are told that the key is the likely cause;
# - `pifleet leave` of a node that is down: the node, restarted, learns its removal from the
#   members and stays out (role removed, no votes, not back in the table);
# - `pifleet leave` of the leader: it steps down at once and its status says so.
source "$(dirname "$0")/lib.sh"

voting_of() {
  CLI_NODE=$1 cli --endpoints "$(addr "$1")" members --json 2> /dev/null | python3 -c "
import json, sys
rows = [r for r in json.load(sys.stdin) if str(r['node_id']) == '$2']
print(rows[0]['voting'] if rows else 'absent')"
}
is_voting() { [ "$(voting_of "$1" "$2")" = "$3" ]; }
role_is() { [ "$(field "$1" role)" = "$2" ]; }

odd_name='pi "one" \back'
# start_agent names the node nN; this seed gets a name that JSON must escape.
"$PIFLEET" agent --data-dir "$WORK/n1" --listen "$(addr 1)" --key-file "$WORK/cluster.key" \
  --name "$odd_name" --metrics-listen "" --seed --voters 3 >> "$WORK/n1.log" 2>&1 &
PIDS[1]=$!
wait_until 20 has_leader 1 || fail "the seed did not come up"
start_agent 2 --join "$(addr 1)"
start_agent 3 --join "$(addr 1)"
wait_until 60 is_voter_count 1 3 || fail "autopilot did not make 3 voters"
start_agent 4 --join "$(addr 1)"
id4=""
wait_until 30 eval 'id4=$(node_id 4); [ -n "$id4" ]' || fail "node 4 does not answer status"
wait_until 30 is_voting 1 "$id4" learner || fail "node 4 did not become a learner"

echo "== members asked of a follower: the leader's LAST HEARD"
leader=$(leader_node 1 2 3) || fail "no leader"
follower=1; [ "$leader" = 1 ] && follower=2
leader_id=$(node_id "$leader")
sleep 2  # every member has sent the leader an alive by now
table=$(CLI_NODE=$follower cli --endpoints "$(addr "$follower")" members) || fail "members failed"
echo "$table"
echo "$table" | grep -q never && fail "members says 'never' for a healthy node"
CLI_NODE=$follower cli --endpoints "$(addr "$follower")" members --json > "$WORK/members.json" ||
  fail "members --json failed"
python3 - "$WORK/members.json" "$leader_id" "$odd_name" << 'PY' || fail "members --json: $(cat "$WORK/members.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 4, rows
for r in rows:
    assert r['last_heard_by'] == int(sys.argv[2]), ('not the leader view', r)
    assert r['last_heard_ms'] >= 0, ('never heard', r)
assert sys.argv[3] in [r['name'] for r in rows], 'the odd name did not round-trip'
PY

echo "== a client with the wrong key"
keygen_distinct "$WORK/other.key" "$WORK/cluster.key"
rc=0
"$PIFLEET" --key-file "$WORK/other.key" --timeout-ms 1500 --endpoints "$(addr 1)" kv get x \
  2> "$WORK/client.err" || rc=$?
cat "$WORK/client.err"
[ "$rc" = 3 ] || fail "wrong-key client exit $rc, want 3"
grep -q -- "--key-file $WORK/other.key" "$WORK/client.err" || fail "the message does not name the key"

echo "== a node joining with the wrong key"
started=$(date +%s)
"$PIFLEET" agent --data-dir "$WORK/n5" --listen "$(addr 5)" --key-file "$WORK/other.key" \
  --name n5 --metrics-listen "" --join "$(addr 1)" >> "$WORK/n5.log" 2>&1 &
PIDS[5]=$!
wait_until 15 grep -qs "wrong cluster key" "$WORK/n5.log" || fail "the joiner did not say why"
echo "the joiner named the likely cause after $(( $(date +%s) - started )) s:"
grep -m1 "wrong cluster key" "$WORK/n5.log"
kill_agent 5

echo "== pifleet leave of a node that is down"
gone=""  # the voter that is neither the leader nor the follower asked above
for n in 1 2 3; do [ "$n" != "$leader" ] && [ "$n" != "$follower" ] && gone=$n; done
id_gone=$(node_id "$gone")
kill_agent "$gone"
rest=(); for n in 1 2 3 4; do [ "$n" != "$gone" ] && rest+=("$n"); done
cli --endpoints "$(endpoints "${rest[@]}")" leave "$id_gone" || fail "leave refused"
wait_until 30 is_voting "$leader" "$id_gone" absent || fail "members still lists node $gone"
cli --endpoints "$(endpoints "${rest[@]}")" kv put after-leave 1 > /dev/null || fail "no write after the leave"
start_agent "$gone" --join "$(addr "$leader")"
wait_until 60 role_is "$gone" removed || fail "node $gone did not learn its removal: $(field "$gone" role)"
wait_until 10 test -f "$WORK/n$gone/removed" || fail "node $gone did not record its removal"
echo "node $gone learned its removal: $(field "$gone" note)"
sleep 3
role_is "$gone" removed || fail "node $gone came back: $(field "$gone" role)"
for n in "${rest[@]}"; do
  is_voting "$n" "$id_gone" absent || fail "node $n lists the removed node again"
  [ "$(leader_of "$n")" != "$id_gone" ] || fail "the removed node leads"
done
cli --endpoints "$(endpoints "${rest[@]}")" kv put after-return 1 > /dev/null ||
  fail "no write after the removed node returned"
stop_agent "$gone" || fail "node $gone did not stop cleanly"

echo "== pifleet leave of the leader"
wait_until 60 is_voting "$leader" "$id4" voter || fail "the autopilot did not promote node 4"
old_leader=$(leader_node "${rest[@]}") || fail "no leader"
id_old=$(node_id "$old_leader")
others=(); for n in "${rest[@]}"; do [ "$n" != "$old_leader" ] && others+=("$n"); done
cli --endpoints "$(endpoints "${others[@]}")" leave "$id_old" || fail "leave of the leader refused"
wait_until 20 role_is "$old_leader" removed || fail "the removed leader did not step down"
note=$(field "$old_leader" note)
echo "old leader's status note: $note"
case "$note" in *"stepped down"*) ;; *) fail "status does not say it stepped down: $note" ;; esac
CLI_NODE=$old_leader cli --endpoints "$(addr "$old_leader")" status | grep -q "^note .*stepped down" ||
  fail "the status table does not say it stepped down"
wait_until 30 leader_node "${others[@]}" > /dev/null || fail "no new leader"
cli --endpoints "$(endpoints "${others[@]}")" kv put after-leader-left 1 > /dev/null ||
  fail "no write after the leader left"
[ "$(field "${others[0]}" leader_id)" != "$id_old" ] || fail "the removed leader still leads"
check_logs_clean
echo "membership_sticks_test: ok"
