#!/usr/bin/env bash
# Five voters on loopback: seed + four joins, autopilot makes all five voters; four clients
# write all the time; kill -9 of the leader -> writes resume through the survivors; the old
# leader restarts, catches up and reads a write made while it was dead with a local read; no
# acknowledged write is lost (client-side ledger). --slow: three rounds of kill and restart.
source "$(dirname "$0")/lib.sh"

rounds=1
[ "${1:-}" = --slow ] && rounds=3
nodes=(1 2 3 4 5)

start_agent 1 --seed --voters 5
wait_until 20 has_leader 1 || fail "the seed did not come up"
for n in 2 3 4 5; do start_agent "$n" --join "$(addr 1)"; done
wait_until 90 is_voter_count 1 5 || fail "autopilot did not make 5 voters"
echo "five voters: $(field 1 voters)"

endpoints "${nodes[@]}" > "$WORK/endpoints"
start_writers 1 2 3 4
wait_acks 12 60 || fail "fewer than 12 writes acknowledged with every node up"

for round in $(seq 1 "$rounds"); do
  victim=$(leader_node "${nodes[@]}") || fail "no leader among the five nodes"
  survivors=()
  for n in "${nodes[@]}"; do [ "$n" = "$victim" ] || survivors+=("$n"); done
  echo "round $round: kill -9 of the leader, node $victim"
  kill_agent "$victim"
  endpoints "${survivors[@]}" > "$WORK/endpoints"
  start=$(date +%s%N)
  wait_acks 1 30 || fail "no write acknowledged within 30 s of the leader's death"
  echo "round $round: writes resumed $(( ($(date +%s%N) - start) / 1000000 )) ms after kill -9"
  # A write the dead node cannot have seen, read back from it after it restarts.
  TIMEOUT_MS=15000 cli --endpoints "$(endpoints "${survivors[@]}")" kv put "while-dead-$round" yes \
    > /dev/null || fail "write through the survivors failed"
  echo "while-dead-$round yes" >> "$WORK/acks.main"
  wait_acks 6 60 || fail "fewer than 6 writes acknowledged by the four survivors"
  target=$(field "${survivors[0]}" applied_slot)

  start_agent "$victim"
  endpoints "${nodes[@]}" > "$WORK/endpoints"
  caught_up() {
    [ "$(CLI_NODE=$victim cli --endpoints "$(addr "$victim")" kv get "while-dead-$round" \
      --consistency local 2> /dev/null)" = yes ] &&
      [ "$(field "$victim" applied_slot)" -ge "$target" ]
  }
  wait_until 60 caught_up || fail "node $victim did not catch up to slot $target"
  echo "round $round: node $victim restarted, caught up past slot $target, reads while-dead-$round"
  wait_acks 5 30 || fail "writes stopped after node $victim came back"
done

stop_writers
[ "$(acked_count)" -ge 20 ] || fail "only $(acked_count) writes acknowledged"
check_ledger "$(endpoints "${nodes[@]}")"
for n in "${nodes[@]}"; do
  [ "$(field "$n" voters | tr -cd , | wc -c)" = 4 ] || fail "node $n does not see five voters"
done
check_logs_clean
echo "five_voters_test: $(acked_count) acknowledged writes from 5 clients, none lost; $rounds round(s)"
