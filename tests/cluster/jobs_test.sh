#!/usr/bin/env bash
# Jobs on three agents (docs/jobs.md): kill -9 of a worker mid-job, then of the leader mid-job,
# then a rolling restart, and each job still commits every item exactly once (results tile the
# items); the builtin's chunks fold to `job run-builtin`'s digest; a failing command is
# retried, then the job fails naming the chunk and its output; cancel kills the running
# commands; commands never run as root.
source "$(dirname "$0")/lib.sh"

start_three_voters
all=$(endpoints 1 2 3)
# Commands run as `nobody` when the agents are root: give them a directory they may write.
OUT=$(mktemp -d /tmp/pifleet-jobs.XXXXXX)
chmod 1777 "$OUT"
trap 'rc=$?; rm -rf "$OUT"; (exit $rc); cleanup' EXIT

job_field() {  # job_field NAME KEY [ENDPOINTS]
  cli --endpoints "${3:-$all}" job status "$1" --json | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['$2'])"
}
state_is() { [ "$(job_field "$1" state "${3:-$all}" 2>/dev/null)" = "$2" ]; }

# check_tiling NAME ITEMS ENDPOINTS: the job's results tile items 0..ITEMS-1 exactly once, each
# chunk's output naming its own range and, when the agents are root, a user other than root.
check_tiling() {
  cli --endpoints "$3" job results "$1" --json > "$WORK/results.json"
  python3 - "$WORK/results.json" "$(id -u)" "$2" <<'PY' || fail "$1: results do not cover every item exactly once"
import json, sys
chunks = sorted(json.load(open(sys.argv[1])), key=lambda c: c["start"])
at = 0
for c in chunks:
    assert c["start"] == at, f"gap or overlap at {at}: {c}"
    assert c["exit_code"] == 0, c
    start, end = c["output"].split()[0].split("-")
    assert (int(start), int(end)) == (c["start"], c["end"]), c
    if sys.argv[2] == "0":
        assert c["output"].split()[1] != "0", f"a command ran as root: {c}"
    at = c["end"]
assert at == int(sys.argv[3]), f"items end at {at}"
print(f"{len(chunks)} chunks tile items 0..{at - 1}, attempts up to {max(c['attempt'] for c in chunks)}")
PY
}

# item_work SECONDS: a chunk's command that takes SECONDS per item, then names its range and
# user. Time per item, not per chunk: the first chunks are the largest (docs/jobs.md), and a job
# that ends within a few polls under a loaded CI could finish before the kill it is there for.
item_work() {
  echo 'sleep "$(awk "BEGIN { print ($PIFLEET_ITEM_END - $PIFLEET_ITEM_START) * '"$1"' }")"
echo "$PIFLEET_ITEM_START-$PIFLEET_ITEM_END $(id -u)"'
}

# kill_mid_job NAME ITEMS NODE: SIGKILL of NODE; the job still finishes on the other two, its
# results tiling the items once; then NODE starts again and is a voter again.
kill_mid_job() {
  local survivors
  kill_agent "$3"
  survivors=$(endpoints 1 2 3 | tr ',' '\n' | grep -v "$(addr "$3")" | paste -sd,)
  wait_until 120 state_is "$1" done "$survivors" ||
    fail "job $1 did not finish after node $3 died: $(cli --endpoints "$survivors" job status "$1")"
  check_tiling "$1" "$2" "$survivors"
  start_agent "$3"
  wait_until 60 is_voter_count 1 3 || fail "node $3 did not come back as a voter"
}

# 1. kill -9 of a worker mid-job. The victim is chosen first and watched through its own
# children, not `job status`: under a loaded CI one status round can outlast a short job.
leader=$(leader_node 1 2 3)
victim=1; [ "$leader" = 1 ] && victim=2
victim_id=$(node_id "$victim")
cli --endpoints "$all" job submit --name work --items 0..299 --chunk-min 5 --timeout-s 15 -- \
  sh -c "$(item_work 0.1)" || fail "submit refused"
running_on_victim() { pgrep -x -P "${PIDS[$victim]}" sh > /dev/null; }
wait_until 30 running_on_victim || fail "node $victim never ran a chunk: $(cli --endpoints "$all" job status work)"
echo "killing worker node $victim ($victim_id) mid-chunk"
kill_mid_job work 300 "$victim"

# 1b. kill -9 of the leader mid-job: the new leader goes on with the job from the log.
cli --endpoints "$all" job submit --name work2 --items 0..199 --chunk-min 5 --timeout-s 15 -- \
  sh -c "$(item_work 0.05)" || fail "submit of work2 refused"
some_done() { [ "$(job_field work2 committed_items 2>/dev/null || echo 0)" -gt 0 ]; }
wait_until 30 some_done || fail "work2 made no progress"
leader=$(leader_node 1 2 3) || fail "no leader"
echo "killing the leader, node $leader, mid-job"
kill_mid_job work2 200 "$leader"

# 1c. A rolling restart mid-job: each agent in turn stops (SIGTERM: its running command is
# killed with it) and starts again; the job goes on and finishes with every item once.
cli --endpoints "$all" job submit --name work3 --items 0..199 --chunk-min 5 --timeout-s 15 -- \
  sh -c "$(item_work 0.05)" || fail "submit of work3 refused"
for n in 1 2 3; do
  stop_agent "$n" || fail "node $n did not stop cleanly (exit $?)"
  start_agent "$n"
  wait_until 60 has_leader "$n" || fail "node $n did not rejoin after its restart"
done
echo "rolling restart done with $(job_field work3 committed_items) of 200 items committed"
wait_until 120 state_is work3 done || fail "work3 did not finish after the rolling restart"
check_tiling work3 200 "$all"

# 1d. The builtin: the chunks' digests XOR to what `job run-builtin` computes alone.
cli --endpoints "$all" job submit --name builtin --items 0..1999 --builtin sha256 --rounds 50 \
  --chunk-min 10 > /dev/null || fail "submit of builtin refused"
wait_until 60 state_is builtin done || fail "the builtin job did not finish"
want=$("$PIFLEET" job run-builtin --items 0..1999 --rounds 50 --json |
  python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["digest"])')
got=$(cli --endpoints "$all" job results builtin --json | python3 -c 'import json, sys
v = 0
for c in json.load(sys.stdin): v ^= int(c["output"].strip(), 16)
print(f"{v:064x}")')
[ "$got" = "$want" ] || fail "the builtin job's digest $got differs from run-builtin's $want"
echo "builtin: the job's chunks fold to run-builtin's digest ${want:0:16}..."

# 2. A failing command: retried, then the job fails naming the chunk and its output.
cli --endpoints "$all" job submit --name bad --items 0..9 --chunk-min 10 --retries 2 -- \
  sh -c 'echo boom; exit 3' || fail "submit of bad refused"
wait_until 60 state_is bad failed || fail "job bad did not fail"
failure=$(job_field bad failure)
echo "bad: $failure"
case "$failure" in *"chunk [0, 10) failed 3 times; last exit 3"*boom*) ;; *) fail "failure says: $failure" ;; esac
cli --endpoints "$all" job status bad --follow > /dev/null && fail "--follow of a failed job exited 0"

# 3. cancel kills the running commands.
cli --endpoints "$all" job submit --name slow --items 0..2 --chunk-min 1 --timeout-s 600 -- \
  sh -c 'echo $$ > '"$OUT"'/pid.$PIFLEET_ITEM_START; exec sleep 300' || fail "submit of slow refused"
wait_until 30 bash -c "ls $OUT/pid.* > /dev/null 2>&1" || fail "no chunk of slow started"
sleep 1
pids=$(cat "$OUT"/pid.*)
for pid in $pids; do kill -0 "$pid" 2>/dev/null || fail "command $pid is not running before cancel"; done
cli --endpoints "$all" job cancel slow || fail "cancel refused"
gone() { for pid in $pids; do kill -0 "$pid" 2>/dev/null && return 1; done; return 0; }
wait_until 10 gone || fail "commands $pids still run after cancel"
state_is slow cancelled || fail "slow is not cancelled"
echo "jobs_test: kill -9 of a worker, kill -9 of the leader, a rolling restart, retries then failure, cancel: ok"
