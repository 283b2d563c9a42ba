#!/usr/bin/env bash
# Poison pills at the edge (issue 18): a Request sealed with the cluster key from a raw socket,
# carrying a reconfiguration with no voters, with 8 voters, with duplicate ids, with a node both
# voter and learner, and a kv command with a 2 MiB key or a key one byte over the command bound,
# plus that command as a client's kv request. Before the edge check, a decided reconfiguration
# out of bounds made every replica assert, and again at every WAL replay. Now each is dropped
# and counted (status `dropped`, metrics), no agent dies, the configuration is unchanged, and
# the cluster keeps committing. Needs PIFLEET_POISON (tests/cluster/poison_datagram.cc).
source "$(dirname "$0")/lib.sh"
POISON=${PIFLEET_POISON:?set PIFLEET_POISON to the pifleet-poison binary}

start_three_voters
all=$(endpoints 1 2 3)
cli --endpoints "$all" kv put before poison > /dev/null || fail "first write failed"
voters_before=$(field 1 voters)

# drops N REASON: node N's drop counter for REASON.
drops() { CLI_NODE=$1 cli --endpoints "$(addr "$1")" status --json |
  python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['dropped']['$2'])"; }

checked=0
# check KIND REASON: sends KIND to the leader, waits until its REASON counter moved by the
# datagrams sent (out_of_bounds: the one reassembled message), then checks that every agent
# lives, the configuration is unchanged and a write commits.
check() {
  local kind=$1 reason=$2 leader node_id before sent expected
  leader=$(leader_node 1 2 3) || fail "no leader before $kind"
  node_id=$(node_id "$leader")
  before=$(drops "$leader" "$reason") || fail "status before $kind failed"
  sent=$("$POISON" --key-file "$WORK/cluster.key" --to "$(addr "$leader")" --node "$node_id" \
    "$kind") || fail "pifleet-poison $kind failed"
  expected=1
  [ "$reason" = bad_fragment ] && expected=$(awk '{print $(NF-1)}' <<< "$sent")
  moved() { [ $(( $(drops "$leader" "$reason") - before )) -eq "$expected" ]; }
  wait_until 10 moved || fail "$kind: $reason moved by $(( $(drops "$leader" "$reason") - before )), expected $expected"
  for n in 1 2 3; do kill -0 "${PIDS[$n]}" 2> /dev/null || fail "node $n died after $kind"; done
  cli --endpoints "$all" kv put "after-$kind" ok > /dev/null || fail "no write after $kind"
  [ "$(field 1 voters)" = "$voters_before" ] || fail "$kind changed the voters: $(field 1 voters)"
  echo "$kind: $sent; $reason +$expected on the leader (node $leader); every agent up; writes commit"
  checked=$((checked + 1))
}

check reconfig_no_voters out_of_bounds
check reconfig_8_voters out_of_bounds
check reconfig_duplicate_ids out_of_bounds
check reconfig_voter_and_learner out_of_bounds
check kv_key_over_bound out_of_bounds
check client_kv_key_over_bound out_of_bounds
check kv_key_2mib bad_fragment

# The same counts in Prometheus text; nothing was decided and then refused.
leader=$(leader_node 1 2 3) || fail "no leader at the end"
metrics=$(cli --endpoints "$(addr "$leader")" metrics) || fail "pifleet metrics failed"
grep -qx "pifleet_wire_dropped_total{reason=\"out_of_bounds\"} $(drops "$leader" out_of_bounds)" \
  <<< "$metrics" || fail "metrics disagree with status for out_of_bounds"
for n in 1 2 3; do
  grep -qx 'pifleet_commands_refused_total{stage="apply"} 0' \
    <<< "$(cli --endpoints "$(addr "$n")" metrics)" || fail "node $n refused a decided command"
done

# Every agent restarts from its WAL (the poison pill used to fire again at replay).
for n in 1 2 3; do stop_agent "$n" || fail "node $n did not stop cleanly"; done
start_agent 1
start_agent 2
start_agent 3
wait_until 30 has_leader 1 || fail "no leader after the restart"
[ "$(cli --endpoints "$all" kv get before)" = poison ] || fail "state lost across the restart"
cli --endpoints "$all" kv put after-restart ok > /dev/null || fail "no write after the restart"
check_logs_clean
echo "poison_test: $checked kinds dropped and counted at the edge; the cluster kept committing"
