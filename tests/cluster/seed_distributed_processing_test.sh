#!/usr/bin/env bash
# Seed 003 ("Distributed Processing Cloud"), its acceptance steps on real agents: 2 nodes; 2
# object types X and Y; client A on node 1 subscribes to X and publishes Y, client B on node 2
# subscribes to Y and publishes X; each receives exactly the other's objects: none lost, none
# duplicated, none of the wrong type.
# Then again with B a consumer group of two members (each runs --exec on every object), one
# killed with SIGKILL mid-stream and a third joining after it: every object is processed, the
# two survivors never process the same object, and the group ends with nothing pending.
source "$(dirname "$0")/lib.sh"
PER=${PER:-40}

# Two nodes: a voter (a fleet of two keeps one voter: an even count adds no fault tolerance) and
# a learner that serves its clients from its own copy of the log.
start_agent 1 --seed --voters 1
wait_until 20 has_leader 1 || fail "the seed did not come up"
start_agent 2 --join "$(addr 1)"
wait_until 30 has_leader 2 || fail "node 2 did not join"
echo "2 nodes up: n1 (voter), n2 (learner)"

all=$(endpoints 1 2)
cli --endpoints "$all" topic type define X --field id:int --field from:string > /dev/null &&
  cli --endpoints "$all" topic type define Y --field id:int --field from:string > /dev/null ||
  fail "type define"
cli --endpoints "$all" topic create objects > /dev/null || fail "topic create"

# Client A: node 1 (node 2 its fallback); client B: node 2 (node 1 its fallback).
cli --endpoints "$(endpoints 1 2)" topic subscribe objects --type X --json --count "$PER" \
  > "$WORK/a.got" 2> "$WORK/a.err" &
sub_a=$!
cli --endpoints "$(endpoints 2 1)" topic subscribe objects --type Y --json --count "$PER" \
  > "$WORK/b.got" 2> "$WORK/b.err" &
sub_b=$!
sleep 1

# publish_lines NODE TYPE FROM COUNT [START]: COUNT objects of TYPE through node NODE.
publish_lines() {
  local start=${5:-1}
  python3 -c "
import json, sys
for i in range($start, $start + $4): print(json.dumps({'id': i, 'from': '$3'}))" > "$WORK/$3.$2.lines"
  cli --endpoints "$(addr "$1")" topic publish objects --type "$2" --each-line "@$WORK/$3.$2.lines" \
    --json > "$WORK/$3.$2.acks"
}
publish_lines 1 Y A "$PER" & pub_a=$!
publish_lines 2 X B "$PER" & pub_b=$!
wait "$pub_a" || fail "A's publishes"
wait "$pub_b" || fail "B's publishes"
[ "$(wc -l < "$WORK/A.Y.acks")" = "$PER" ] || fail "A has $(wc -l < "$WORK/A.Y.acks") acks"
wait_until 30 bash -c "! kill -0 $sub_a 2>/dev/null && ! kill -0 $sub_b 2>/dev/null" ||
  fail "the subscribers did not get $PER objects each: A $(wc -l < "$WORK/a.got"), B $(wc -l < "$WORK/b.got")"
wait "$sub_a" || fail "A's subscriber: $(cat "$WORK/a.err")"
wait "$sub_b" || fail "B's subscriber: $(cat "$WORK/b.err")"

python3 - "$WORK" "$PER" <<'PY' || fail "exchange check"
import json, sys
work, per = sys.argv[1], int(sys.argv[2])
for me, want_type, other, node in (("a", "X", "B", "n2"), ("b", "Y", "A", "n1")):
    got = [json.loads(l) for l in open("%s/%s.got" % (work, me))]
    types = {o["type"] for o in got}
    assert types == {want_type}, "%s got types %s" % (me, types)
    ids = [o["data"]["id"] for o in got]
    assert ids == list(range(1, per + 1)), "%s got ids %s" % (me, ids)
    assert {o["data"]["from"] for o in got} == {other}, "%s got objects not from %s" % (me, other)
    assert {o["published_by"] for o in got} == {node}, "published_by %s" % {o["published_by"] for o in got}
    offsets = [o["offset"] for o in got]
    assert offsets == sorted(set(offsets)), "%s: offsets out of order or repeated" % me
print("A got exactly B's %d X objects, B exactly A's %d Y objects, in order" % (per, per))
PY

# B as a consumer group of two; A publishes Y; member b1 is killed mid-stream, b3 joins after.
member() {  # member NAME: a member of group B on node 2 that records each object it processes
  # The binary itself in the background (not the cli function's subshell): signals reach it.
  "$PIFLEET" --key-file "$WORK/cluster.key" --endpoints "$(endpoints 2 1)" topic subscribe objects --type Y --group B --from latest --ack-wait-s 2 \
    --exec "cat >> '$WORK/$1.seen'; sleep 0.02" > "$WORK/$1.out" 2> "$WORK/$1.err" &
  MEMBER_PID=$!
}
member b1; b1=$MEMBER_PID
member b2; b2=$MEMBER_PID
sleep 0.5
group_per=$((PER * 3))
publish_lines 1 Y A "$group_per" 1001 || fail "A's publishes for the group"
seen() { cat "$WORK"/b*.seen 2>/dev/null | wc -l; }
wait_until 30 bash -c "[ \$(cat '$WORK'/b1.seen 2>/dev/null | wc -l) -ge 10 ]" ||
  fail "b1 processed $(wc -l < "$WORK/b1.seen") objects"
kill -9 "$b1"
echo "b1 killed with SIGKILL after $(wc -l < "$WORK/b1.seen") objects"
member b3; b3=$MEMBER_PID
all_processed() {
  python3 - "$WORK" "$group_per" <<'PY'
import json, sys, glob
work, n = sys.argv[1], int(sys.argv[2])
ids = set()
for f in glob.glob(work + "/b[123].seen"):
    ids |= {json.loads(l)["data"]["id"] for l in open(f) if l.strip()}
sys.exit(0 if ids >= set(range(1001, 1001 + n)) else 1)
PY
}
wait_until 40 all_processed || fail "the group processed $(seen) of $group_per objects"
# An object b1 processed but had not acknowledged when it died is in b1.seen, yet still pending
# until its ack wait (2 s) gives it to a survivor: the survivors stay until the group settles.
group_settled() {
  cli --endpoints "$all" topic groups objects --json | python3 -c '
import json, sys
g = json.loads(sys.stdin.readline())
sys.exit(0 if g["pending"] == 0 and g["acked"] >= int(sys.argv[1]) else 1)' "$group_per"
}
wait_until 20 group_settled || fail "the group did not settle: $(cli --endpoints "$all" topic groups objects --json)"
kill -TERM "$b2" "$b3"
wait "$b2" || fail "b2 did not leave cleanly: $(cat "$WORK/b2.err")"
wait "$b3" || fail "b3 did not leave cleanly: $(cat "$WORK/b3.err")"
python3 - "$WORK" "$group_per" <<'PY' || fail "group check"
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
def ids(name):
    try:
        got = [json.loads(l) for l in open("%s/%s.seen" % (work, name)) if l.strip()]
    except FileNotFoundError:
        got = []
    assert all(o["type"] == "Y" for o in got), name + " processed an object of another type"
    out = [o["data"]["id"] for o in got]
    assert len(out) == len(set(out)), "%s processed an object twice" % name
    return set(out)
b1, b2, b3 = ids("b1"), ids("b2"), ids("b3")
assert not (b2 & b3), "the survivors both processed %s" % sorted(b2 & b3)
assert b1 | b2 | b3 == set(range(1001, 1001 + n)), "objects not processed"
again = (b2 | b3) & b1
print("group of 2 (+1 after the kill): %d objects, b1 %d before SIGKILL, b2 %d, b3 %d; "
      "%d of b1's (unacknowledged when it died) processed again by a survivor, none by both"
      % (n, len(b1), len(b2), len(b3), len(again)))
PY
groups=$(cli --endpoints "$all" topic groups objects --json) || fail "topic groups"
python3 - "$groups" "$group_per" <<'PY' || fail "group state: $groups"
import json, sys
g = json.loads(sys.argv[1].splitlines()[0])
n = int(sys.argv[2])
assert g["group"] == "B" and g["pending"] == 0 and g["parked"] == 0, g
assert g["acked"] >= n, g
print("group B: %d acknowledged, 0 pending, 0 parked" % g["acked"])
PY
check_logs_clean
echo "PASS"
