#!/usr/bin/env bash
# A worker that heats up gets smaller chunks from its next claim (docs/jobs.md "The split"):
# three voters, each with its own copy of a Pi 4 fixture sysroot; mid-job node 3's thermal zone
# reads 90 C, its capacity falls to the thermal floor in the members table, and the first chunk
# it claims after that is a clearly smaller share of the items left than its chunks before.
# The share of a new chunk is (end - start) / (items left when claimed) = size / (END - start),
# since new chunks are cut in claim order; factoring makes it weight / (2 x the fleet's weight).
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ITEMS=3000

for n in 1 2 3; do cp -a "$HERE/../fixtures/pi4b-cool" "$WORK/root$n"; done
start_agent 1 --seed --voters 3 --sysroot "$WORK/root1"
wait_until 20 has_leader 1 || fail "the seed did not come up"
start_agent 2 --join "$(addr 1)" --sysroot "$WORK/root2"
start_agent 3 --join "$(addr 1)" --sysroot "$WORK/root3"
wait_until 30 is_voter_count 1 3 || fail "autopilot did not make 3 voters"
all=$(endpoints 1 2 3)
hot_id=$(node_id 3)

members_row() {  # members_row FIELD: node 3's FIELD and the lowest other capacity
  cli --endpoints "$all" members --json | python3 -c "
import json, sys
rows = {r['name']: r for r in json.load(sys.stdin)}
print(rows['n3']['$1'], min(rows[n]['capacity_milli'] for n in ('n1', 'n2')))"
}
job_field() {
  cli --endpoints "$all" job status hot --json | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['$1'])"
}

# 20 ms per item: about 20 s on three workers, so the first round of chunks outlasts the
# capacity report (the agents publish a change at most every 10 s).
cli --endpoints "$all" job submit --name hot --items 0..$((ITEMS - 1)) --chunk-min 1 --timeout-s 60 -- \
  sh -c 'n=$((PIFLEET_ITEM_END - PIFLEET_ITEM_START)); sleep "$(awk "BEGIN { print $n * 0.02 }")"' \
  || fail "submit refused"
running_on_3() {
  cli --endpoints "$all" job status hot --json | python3 -c "import json, sys
rows = json.loads(sys.stdin.readline())['workers']
sys.exit(0 if any(r['node'] == $hot_id and r['running'] > 0 for r in rows) else 1)"
}
wait_until 30 running_on_3 || fail "node 3 never ran a chunk: $(job_field workers)"

echo 90000 > "$WORK/root3/sys/devices/virtual/thermal/thermal_zone0/temp"
hot_published() { read -r c3 others <<< "$(members_row capacity_milli)"; [ "$c3" -lt $((others / 2)) ]; }
wait_until 30 hot_published || fail "node 3's capacity did not fall: $(members_row capacity_milli)"
mark=$(job_field next_item)
echo "node 3 hot (capacity and the others' lowest: $(members_row capacity_milli)); items below $mark were handed out before"

state_is_done() { [ "$(job_field state)" = done ]; }
wait_until 120 state_is_done || fail "job hot did not finish: $(cli --endpoints "$all" job status hot)"
cli --endpoints "$all" job results hot --json > "$WORK/results.json"
python3 - "$WORK/results.json" "$hot_id" "$mark" "$ITEMS" <<'PY' || fail "node 3's chunks did not shrink after it heated up"
import json, sys
chunks = sorted(json.load(open(sys.argv[1])), key=lambda c: c["start"])
hot, mark, items = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
at = 0
for c in chunks:
    assert c["start"] == at and c["exit_code"] == 0, f"results do not tile the items at {at}: {c}"
    at = c["end"]
assert at == items, f"items end at {at}"
share = lambda c: (c["end"] - c["start"]) / (items - c["start"])
before = [share(c) for c in chunks if c["node"] == hot and c["end"] <= mark]
after = [c for c in chunks if c["node"] == hot and c["start"] >= mark]
assert before, "node 3 committed no chunk before it heated up"
assert after, "node 3 committed no chunk after it heated up"
first = after[0]
assert first["start"] < items * 0.9, f"node 3's next chunk came only at the end: {first}"
mean_before = sum(before) / len(before)
print(f"node 3's share of the items left: {mean_before:.3f} before (over {len(before)} chunks), "
      f"{share(first):.3f} at its first claim after (chunk [{first['start']}, {first['end']}))")
assert share(first) < 0.6 * mean_before, "the first chunk after heating up is not smaller"
PY
echo "jobs_hot_test: a hot worker's next chunk shrank; every item committed once: ok"
