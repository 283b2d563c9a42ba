#!/usr/bin/env bash
# Seed 004 ("chat-cluster") on real agents: 3 nodes; chat messages published through every node
# are read in the same order from every node; after enough messages for a snapshot and WAL
# compaction, a 4th node that joins serves the whole history (`topic read --consistency local`
# on it equals node 1's); a rolling restart of every node (SIGTERM, start, catch up) loses
# nothing, and messages published during it are kept too.
source "$(dirname "$0")/lib.sh"
PER=${PER:-370}  # 3 x 370 publishes: concurrent ones share slots, so the interval is 100 slots

start_three_voters
all=$(endpoints 1 2 3)
cli --endpoints "$all" topic type define message --field user:string --field text:string \
  > /dev/null || fail "type define"
cli --endpoints "$all" topic create chat > /dev/null || fail "topic create"
cli --endpoints "$all" config set snapshot_every_slots 100 > /dev/null || fail "config set"

# send NODE FROM COUNT: COUNT messages from user FROM through node NODE.
send() {
  python3 -c "
import json
for i in range($3): print(json.dumps({'user': '$2', 'text': 'message %d from $2' % i, 'i': i}))" \
    > "$WORK/$2.lines"
  cli --endpoints "$(addr "$1")" topic publish chat --type message --each-line "@$WORK/$2.lines" \
    --json > "$WORK/$2.acks"
}
send 1 u1 "$PER" & s1=$!
send 2 u2 "$PER" & s2=$!
send 3 u3 "$PER" & s3=$!
wait "$s1" && wait "$s2" && wait "$s3" || fail "a sender failed"
total=$((3 * PER))
echo "$total messages published through nodes 1, 2 and 3"

cli --endpoints "$(addr 1)" topic read chat --json > "$WORK/history" || fail "read on node 1"
[ "$(wc -l < "$WORK/history")" = "$total" ] || fail "node 1 reads $(wc -l < "$WORK/history") messages"
python3 - "$WORK" "$PER" <<'PY' || fail "history check"
import json, sys
work, per = sys.argv[1], int(sys.argv[2])
msgs = [json.loads(l) for l in open(work + "/history")]
assert [m["offset"] for m in msgs] == list(range(3 * per)), "offsets are not 0..N-1"
for u in ("u1", "u2", "u3"):
    mine = [m["data"]["i"] for m in msgs if m["data"]["user"] == u]
    assert mine == list(range(per)), "%s's messages out of order or missing" % u
    acked = sorted(json.loads(l)["offset"] for l in open("%s/%s.acks" % (work, u)))
    assert acked == sorted(m["offset"] for m in msgs if m["data"]["user"] == u), "acks of " + u
PY
same_as_history() {  # same_as_history NODE FILE: NODE's local read equals the history
  CLI_NODE=$1 cli --endpoints "$(addr "$1")" topic read chat --json --consistency local \
    > "$WORK/local.$1" 2> /dev/null && cmp -s "$WORK/local.$1" "$2"
}
for n in 1 2 3; do
  cli --endpoints "$(addr "$n")" topic read chat --json > "$WORK/log.$n" || fail "read on node $n"
  cmp -s "$WORK/log.$n" "$WORK/history" || fail "node $n reads another order"
  wait_until 20 same_as_history "$n" "$WORK/history" || fail "node $n's local read differs"
done
echo "every node reads the same $total messages in the same order (log and local)"

for n in 1 2 3; do
  wait_until 30 grep -q "snapshot stored" "$WORK/n$n.log" || fail "node $n stored no snapshot"
done
start_agent 4 --join "$(addr 1)"
wait_until 90 same_as_history 4 "$WORK/history" ||
  fail "node 4 does not serve the history: $(wc -l < "$WORK/local.4") of $total; $(tail -n 3 "$WORK/n4.log")"
grep -q "state restored from a snapshot" "$WORK/n4.log" || fail "node 4 caught up without a snapshot"
echo "node 4 joined after the snapshot and WAL compaction and serves all $total messages locally"

# Rolling restart: one node at a time (the next only once it has caught up), a message through
# another node while it is down (a leader's restart takes an election: a longer client timeout).
caught_up() { [ "$(field "$1" applied_slot)" -ge "$2" ]; }
for n in 1 2 3 4; do
  stop_agent "$n" || fail "node $n did not exit cleanly on SIGTERM"
  up=$(( n % 4 + 1 ))
  TIMEOUT_MS=20000 cli --endpoints "$(addr "$up")" topic publish chat --type message \
    --data "{\"user\": \"ops\", \"text\": \"node $n is restarting\"}" > /dev/null ||
    fail "publish while node $n was down"
  target=$(field "$up" applied_slot)
  start_agent "$n"
  wait_until 60 caught_up "$n" "$target" || fail "node $n did not catch up to slot $target"
done
total=$((total + 4))
cli --endpoints "$(addr 1)" topic read chat --json > "$WORK/after" || fail "read after the restart"
[ "$(wc -l < "$WORK/after")" = "$total" ] || fail "after the restart node 1 reads $(wc -l < "$WORK/after") of $total"
head -n $((total - 4)) "$WORK/after" | cmp -s - "$WORK/history" || fail "the history changed in the restart"
for n in 1 2 3 4; do
  wait_until 60 same_as_history "$n" "$WORK/after" || fail "node $n lost messages in the restart"
done
echo "rolling restart of all 4 nodes: every node serves all $total messages, none lost, same order"
check_logs_clean
echo "PASS"
