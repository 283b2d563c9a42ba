#!/usr/bin/env bash
# Replayed client datagrams never apply twice (issue 13, "client sessions that a replay cannot
# revive"). A relay records the real datagrams of `pifleet kv put rI old-I` (a registration,
# then the put), the keys are then set to new-I, and the recorded datagrams are sent again:
# at once (the replay window drops them), after 2,000 other clients (the replay window and the
# session table have forgotten them) and after a restart of every agent. Each time every key
# still holds new-I, every replayed put is either dropped as `replay` or answered as refused or
# as a retry (never run), each counted in `status --json` `dropped`, and a replayed
# registration makes a new session, never an old one.
source "$(dirname "$0")/lib.sh"
KV_CLIENT=${PIFLEET_KV_CLIENT:?set PIFLEET_KV_CLIENT to pifleet-kv-client}
RELAY="$(dirname "$0")/replay_relay.py"
KEYS=5

start_three_voters

for i in $(seq 1 $KEYS); do
  python3 "$RELAY" record "$WORK/cluster.key" "$(port 1)" "$WORK/recorded" -- \
    "$PIFLEET" --key-file "$WORK/cluster.key" --endpoints "{relay}" kv put "r$i" "old-$i" \
    > /dev/null || fail "kv put r$i through the relay failed"
done
grep -c " 1 " "$WORK/recorded" > /dev/null || fail "no kv datagram recorded"
puts=$(awk '$2 == 1' "$WORK/recorded" | wc -l)
echo "recorded $(wc -l < "$WORK/recorded") datagrams ($puts kv puts)"
for i in $(seq 1 $KEYS); do
  cli --endpoints "$(addr 1)" kv put "r$i" "new-$i" > /dev/null || fail "kv put r$i new failed"
done

# dropped REASON: node 1's count of one drop reason.
dropped() {
  CLI_NODE=1 cli --endpoints "$(addr 1)" status --json |
    python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['dropped'].get('$1', 0))"
}
duplicates() {
  cli --endpoints "$(addr 1)" metrics | awk '/^pifleet_session_duplicates_total/ {print $2}'
}

# replay_round NAME: replays every recorded datagram to node 1 and checks what happened.
replay_round() {
  local name=$1 replay_before refused_before dup_before
  replay_before=$(dropped replay)
  refused_before=$(dropped session_refused)
  dup_before=$(duplicates)
  python3 "$RELAY" replay "$WORK/cluster.key" "$(port 1)" "$WORK/recorded" > "$WORK/replayed"
  if grep -q "outcome 0" "$WORK/replayed"; then
    cat "$WORK/replayed"
    fail "$name: a replayed put ran again"
  fi
  local sessions new
  sessions=$(awk '$2 == 1 {print $3}' "$WORK/recorded" | sort -u)
  for new in $(awk '$1 == "op" && $2 == 14 && $6 == 0 {print $8}' "$WORK/replayed"); do
    if grep -qx "$new" <<< "$sessions"; then fail "$name: a replayed registration revived session $new"; fi
  done
  for i in $(seq 1 $KEYS); do
    got=$(cli --endpoints "$(addr 1)" kv get "r$i") || fail "$name: kv get r$i failed"
    [ "$got" = "new-$i" ] || fail "$name: r$i is '$got' after the replay, not new-$i"
  done
  local unanswered refused retried replay_delta refused_delta dup_delta
  unanswered=$(awk '$2 == 1 && /unanswered/' "$WORK/replayed" | wc -l)
  refused=$(grep -c "op 1 .*outcome 2" "$WORK/replayed" || true)
  retried=$(grep -c "op 1 .*outcome 1" "$WORK/replayed" || true)
  [ $((unanswered + refused + retried)) -eq "$puts" ] || {
    cat "$WORK/replayed"; fail "$name: $puts replayed puts, $unanswered + $refused + $retried accounted"; }
  replay_delta=$(( $(dropped replay) - replay_before ))
  refused_delta=$(( $(dropped session_refused) - refused_before ))
  dup_delta=$(( $(duplicates) - dup_before ))
  [ "$replay_delta" -ge "$unanswered" ] || fail "$name: $unanswered unanswered, replay +$replay_delta"
  [ "$refused_delta" -ge "$refused" ] || fail "$name: $refused refused, session_refused +$refused_delta"
  [ "$dup_delta" -ge "$retried" ] || fail "$name: $retried retries, duplicates +$dup_delta"
  echo "$name: $puts puts replayed: $unanswered dropped (replay +$replay_delta)," \
    "$refused refused (session_refused +$refused_delta), $retried answered as retries" \
    "(+$dup_delta); every key still new"
}

replay_round "at once"
"$KV_CLIENT" --endpoints "$(addr 1)" --key-file "$WORK/cluster.key" clients 2000 ||
  fail "2,000 other clients failed"
replay_round "after 2,000 other clients"
for n in 1 2 3; do stop_agent "$n" || fail "agent $n did not stop cleanly"; done
for n in 1 2 3; do start_agent "$n"; done
wait_until 30 has_leader 1 || fail "no leader after the restart"
wait_until 30 is_voter_count 1 3 || fail "not 3 voters after the restart"
replay_round "after a restart of every agent"
check_logs_clean
echo "PASS"
