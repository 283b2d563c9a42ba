#!/usr/bin/env bash
# A prefix watch on a follower sees every acknowledged put exactly once, in revision order, while
# the leader is killed with kill -9 mid-stream (the watch's node lives; the cluster elects a new
# leader and the writes go on through it). Prints the delivery latency, put acknowledged → event
# printed by the watch, p50 and p99. Then kv txn / kv get --prefix / kv del --prefix on real
# agents. (The compacted-history error is checked in tests/unit/daemon/watch_hub_test.cc.)
source "$(dirname "$0")/lib.sh"
PUTS=${PUTS:-80}

start_three_voters
leader=$(leader_node 1 2 3) || fail "no leader"
follower=""
for n in 1 2 3; do [ "$n" = "$leader" ] || { [ -n "$follower" ] || follower=$n; }; done
others=()
for n in 1 2 3; do [ "$n" = "$follower" ] || others+=("$n"); done
all=$(endpoints 1 2 3)
echo "leader node $leader, watching on follower node $follower"

stamp='import sys, time
for line in sys.stdin:
    sys.stdout.write("%.6f %s" % (time.time(), line)); sys.stdout.flush()'
(cli --endpoints "$(endpoints "$follower" "${others[@]}")" watch --prefix w/ --json |
  python3 -u -c "$stamp" > "$WORK/events") &
watch_job=$!
sleep 1

: > "$WORK/acks"
for i in $(seq 1 "$PUTS"); do
  if [ "$i" = $((PUTS / 3)) ]; then
    echo "killing the leader (node $leader) after $((i - 1)) puts"
    kill_agent "$leader"
  fi
  if out=$(TIMEOUT_MS=15000 cli --endpoints "$all" kv put "w/$i" "v$i" --json 2> /dev/null); then
    echo "w/$i $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["revision"])' "$out") $(date +%s.%N)" >> "$WORK/acks"
  fi
done
acked=$(wc -l < "$WORK/acks")
[ "$acked" -ge $((PUTS * 9 / 10)) ] || fail "only $acked of $PUTS puts acknowledged"
last_key=$(tail -n 1 "$WORK/acks" | cut -d' ' -f1)
seen_last() { grep -q "\"key\":\"$last_key\"" "$WORK/events"; }
wait_until 20 seen_last || fail "the watch never printed $last_key"
sleep 0.5
pkill -P "$watch_job" 2> /dev/null || true

python3 - "$WORK/acks" "$WORK/events" << 'PY'
import json, sys
acks = {}
for line in open(sys.argv[1]):
    key, revision, at = line.split()
    acks[key] = (int(revision), float(at))
events, revisions, seen = [], [], set()
for line in open(sys.argv[2]):
    at, text = line.split(" ", 1)
    e = json.loads(text)
    ident = (e["key"], e["mod_revision"])
    if ident in seen:
        sys.exit("FAIL: event %s delivered twice" % (ident,))
    seen.add(ident)
    revisions.append(e["mod_revision"])
    events.append((e, float(at)))
if revisions != sorted(revisions) or len(set(revisions)) != len(revisions):
    sys.exit("FAIL: events out of revision order: %s" % revisions)
latency = []
by_key = {e["key"]: (e, at) for e, at in events}
for key, (revision, acked_at) in acks.items():
    if key not in by_key:
        sys.exit("FAIL: acknowledged put %s (revision %d) never seen by the watch" % (key, revision))
    e, at = by_key[key]
    if e["mod_revision"] != revision or e["type"] != "PUT":
        sys.exit("FAIL: %s: event %s, acknowledged revision %d" % (key, e, revision))
    latency.append((at - acked_at) * 1000)
latency.sort()
p = lambda q: latency[min(len(latency) - 1, int(q * len(latency)))]
print("watch: %d events, every one of %d acknowledged puts exactly once, in revision order" %
      (len(events), len(acks)))
print("delivery latency put acknowledged -> event printed (ms, negative: printed before the "
      "writer's CLI returned): p50 %.1f p99 %.1f max %.1f" % (p(0.5), p(0.99), latency[-1]))
PY

# Transactions, ranges and prefix deletes on real agents.
rev=$(cli --endpoints "$all" kv get w/1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["mod_revision"])')
cli --endpoints "$all" kv txn --if "w/1 mod = $rev" --then "put w/1 swapped" > /dev/null || fail "txn on the current mod revision failed"
if cli --endpoints "$all" kv txn --if "w/1 mod = $rev" --then "put w/1 again" --else "get w/1" > "$WORK/txn"; then
  fail "a compare on a stale mod revision held"
fi
grep -qx swapped "$WORK/txn" || fail "the else branch did not read the swapped value: $(cat "$WORK/txn")"
count=$(cli --endpoints "$all" kv get --prefix w/ --json | wc -l)
[ "$count" -ge "$acked" ] || fail "kv get --prefix w/ gave $count keys, $acked were put"
deleted=$(cli --endpoints "$all" kv del --prefix w/ --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["deleted"])')
[ "$deleted" = "$count" ] || fail "kv del --prefix deleted $deleted of $count keys"
echo "PASS"
