#!/usr/bin/env bash
# Typed topics on real agents (docs/topics.md): two publishers through two different nodes, a
# subscriber on the third, whose node is killed with -9 mid-stream (the subscriber goes on
# through another); every node then reads the same objects in the same order (through the log
# and from its own state), the subscriber printed exactly them, each publisher's order is kept,
# and retention trims by count. Refusals: malformed JSON, a publish that does not match its type
# (naming the field), an oversize object and usage errors exit 2; an unknown topic exits 1 and
# stores nothing; kv writes under pifleet/topic/ are refused. Prints publish → deliver latency to
# the subscriber on another node (from the publishing CLI's start, the node kill included), p50
# and p99 (tests/bench/run topics measures it without).
source "$(dirname "$0")/lib.sh"
PER=${PER:-20}

start_three_voters
all=$(endpoints 1 2 3)

cli --endpoints "$all" topic type define msg --field text:string --field n:int > /dev/null ||
  fail "type define"
cli --endpoints "$all" topic create chat --retain-count 1000 > /dev/null || fail "topic create"
cli --endpoints "$all" topic type list --json | grep -q '"fields":{"n":"int","text":"string"}' ||
  fail "type list: $(cli --endpoints "$all" topic type list --json)"

# Refusals, and nothing stored by any of them.
expect_rc() {  # expect_rc RC GREP ARGS...: the command exits RC and says GREP
  local want=$1 grep_for=$2 rc=0 out; shift 2
  out=$(cli --endpoints "$all" "$@" 2>&1) || rc=$?
  [ "$rc" = "$want" ] && grep -q -- "$grep_for" <<<"$out" || fail "$*: rc $rc, $out"
}
expect_rc 2 "not well-formed JSON" topic publish chat --type msg --data '{"text": '
expect_rc 2 "field 'n' must be int, not string" topic publish chat --type msg --data '{"text":"a","n":"1"}'
expect_rc 2 "field 'text' (string) is missing" topic publish chat --type msg --data '{"n":1}'
python3 -c 'print("\"" + "x" * 70000 + "\"")' > "$WORK/big.json"
expect_rc 2 "exceeds the limit of 61440 bytes" topic publish chat --type any --data "@$WORK/big.json"
expect_rc 2 "type is required" topic publish chat --data 1
expect_rc 1 "no topic 'nope'" topic publish nope --type msg --data '{"text":"a","n":1}'
expect_rc 1 "pifleet topic" kv put pifleet/topic/data/chat/0000000000000000 x
expect_rc 1 "no topic 'nope'" topic read nope
[ "$(cli --endpoints "$all" topic list --json | wc -l)" = 1 ] || fail "a refusal created a topic"
[ -z "$(cli --endpoints "$all" topic read chat)" ] || fail "a refusal stored an object"
echo "refused: bad JSON, wrong and missing fields, 70 KB (exit 2); unknown topic, kv put (exit 1)"

# A subscriber on node 3 (node 1 as its fallback), stamping each line as it arrives.
stamp='import sys, time
for line in sys.stdin:
    sys.stdout.write("%.6f %s" % (time.time(), line)); sys.stdout.flush()'
(cli --endpoints "$(endpoints 3 1)" topic subscribe chat --type msg --json --count $((2 * PER)) |
  python3 -u -c "$stamp" > "$WORK/delivered") &
sub_job=$!
sleep 1

publisher() {  # publisher NODE: PER objects through node NODE; a line "START ACKED OFFSET" each
  local n=$1 i out start
  for i in $(seq 1 "$PER"); do
    start=$(date +%s.%N)
    out=$(cli --endpoints "$(addr "$n")" topic publish chat --type msg \
      --data "{\"text\": \"from n$n\", \"n\": $i, \"by\": $n}" --json) || { echo "publish failed" >&2; return 1; }
    echo "$start $(date +%s.%N) $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["offset"])' "$out")"
  done > "$WORK/acks.$n"
}
publisher 1 & p1=$!
publisher 2 & p2=$!
# Mid-stream, the subscriber's node dies: it goes on through node 1 with no gap and no duplicate.
half_published() { [ "$(cat "$WORK"/acks.[12] 2>/dev/null | wc -l)" -ge "$PER" ]; }
wait_until 30 half_published || fail "the publishers did not get half way"
kill_agent 3
echo "node 3 (the subscriber's endpoint) killed with -9 after $(cat "$WORK"/acks.[12] | wc -l) publishes"
wait "$p1" || fail "publisher through node 1"
wait "$p2" || fail "publisher through node 2"
start_agent 3
wait_until 20 bash -c "[ \$(wc -l < '$WORK/delivered') -ge $((2 * PER)) ]" ||
  fail "the subscriber printed $(wc -l < "$WORK/delivered") of $((2 * PER))"
wait "$sub_job" || fail "the subscriber did not exit 0 after --count"

# Every node, through the log and from its own state, reads the same sequence.
cli --endpoints "$(addr 1)" topic read chat --json > "$WORK/read.1" || fail "read on node 1"
[ "$(wc -l < "$WORK/read.1")" = $((2 * PER)) ] || fail "node 1 read $(wc -l < "$WORK/read.1") objects"
local_equal() {  # local_equal N: node N's own state reads what node 1 read through the log
  cli --endpoints "$(addr "$1")" topic read chat --json --consistency local > "$WORK/local.$1" &&
    cmp -s "$WORK/local.$1" "$WORK/read.1"
}
for n in 1 2 3; do
  cli --endpoints "$(addr "$n")" topic read chat --json > "$WORK/log.$n" || fail "read node $n"
  cmp -s "$WORK/log.$n" "$WORK/read.1" || fail "node $n's log read differs from node 1's"
  wait_until 30 local_equal "$n" || fail "node $n's local read differs from node 1's"
done
python3 - "$WORK" "$PER" <<'PY' || fail "order check"
import json, sys
work, per = sys.argv[1], int(sys.argv[2])
objs = [json.loads(l) for l in open(work + "/read.1")]
assert [o["offset"] for o in objs] == list(range(2 * per)), "offsets are not 0..N-1"
for by in (1, 2):
    ns = [o["data"]["n"] for o in objs if o["data"]["by"] == by]
    assert ns == list(range(1, per + 1)), "publisher %d's order: %s" % (by, ns)
    pubs = {o["published_by"] for o in objs if o["data"]["by"] == by}
    assert pubs == {"n%d" % by}, "published_by %s" % pubs
started = {}
for by in (1, 2):
    for line in open("%s/acks.%d" % (work, by)):
        start, acked, off = line.split()
        started[int(off)] = float(start)
assert sorted(started) == list(range(2 * per)), "acked offsets"
got = [l.split(" ", 1) for l in open(work + "/delivered")]
delivered = [json.loads(j) for _, j in got]
assert [json.dumps(d, sort_keys=True) for d in delivered] == \
       [json.dumps(o, sort_keys=True) for o in objs], "the subscriber's objects differ from the read"
lat = sorted((float(t) - started[d["offset"]]) * 1000 for (t, _), d in zip(got, delivered))
print("publish (CLI start) -> delivered on another node: p50 %.1f ms, p99 %.1f ms (n=%d)"
      % (lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], len(lat)))
PY
echo "3 nodes read the same $((2 * PER)) objects in the same order (log and local); the subscriber got exactly them"

# Retention by count, in the publish's own command.
cli --endpoints "$all" topic create small --retain-count 5 > /dev/null || fail "create small"
for i in $(seq 0 7); do
  cli --endpoints "$all" topic publish small --type any --data "$i" > /dev/null || fail "publish small"
done
offsets=$(cli --endpoints "$all" topic read small --json | python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["offset"]) for l in sys.stdin))')
[ "$offsets" = "3 4 5 6 7" ] || fail "retain-count 5 kept offsets: $offsets"
cli --endpoints "$all" topic list --json | grep -q '"topic":"small"' || fail "topic list"
cli --endpoints "$all" topic delete small | grep -q "deleted 5 objects" || fail "topic delete"
expect_rc 1 "no topic 'small'" topic read small
echo "retention by count kept offsets $offsets; delete removed them"
check_logs_clean
echo "PASS"
