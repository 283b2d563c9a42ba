# shellcheck shell=bash
# tests/bench/run jobs (issue 14, docs/jobs.md "Benchmark"): four agents whose speeds really
# differ, each in a cgroup of its own with a CPU quota (80, 40, 20 and 20 % of one core, which
# their capacity probes must detect), run `--builtin sha256` over enough items for about a
# minute. Against the ideal makespan (total work / total capacity: the items over the sum of
# the four cgroups' speeds, measured by `pifleet job run-builtin` in all four cgroups at once, as
# a job runs them; the ratio against each one's speed alone is printed too):
# pifleet's job, an equal split over the same four cgroups, and Dask distributed (Debian
# python3-distributed: a scheduler and four workers in the same cgroups, the same items in
# equal tasks running the same builtin). Then all three again with the 80 % worker cut to 20 %
# halfway through the ideal time (a Pi heating up). Also the consensus cost per chunk:
# datagrams sent and WAL fsyncs of the four agents over the job, per chunk.
JOB_QUOTAS=(80 40 20 20)  # % of one core: workers 1-4
JOB_CUT_TO=20             # worker 1's quota after the cut
JOB_PERIOD_US=10000       # short CFS periods: a throttled agent waits ~8 ms, not ~80 ms
JOB_ROUNDS=1000           # sha256 rounds per item
DASK_TASKS=64             # 16 per worker: Dask's stealing has something to move
BENCH_CLEANUPS+=(jobs_cgroups_remove)

# ---- cgroups (v1 cpu controller, as this machine has; or v2 with cpu enabled) ----------------
jobs_cgroups_make() {
  local kind="" i
  [ "$(id -u)" = 0 ] || { JOBS_SKIP="not root: cannot make cgroups"; return 1; }
  if [ -w /sys/fs/cgroup/cpu/cpu.cfs_period_us ]; then
    kind=v1 JOBS_CG=/sys/fs/cgroup/cpu/pifleet-bench-$BASE_PORT
  elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2> /dev/null; then
    kind=v2 JOBS_CG=/sys/fs/cgroup/pifleet-bench-$BASE_PORT
    echo +cpu > /sys/fs/cgroup/cgroup.subtree_control || true
  else
    JOBS_SKIP="no cgroup cpu controller to write (v1 /sys/fs/cgroup/cpu or v2 cpu.max)"
    return 1
  fi
  JOBS_CG_KIND=$kind
  mkdir -p "$JOBS_CG"
  [ "$kind" = v1 ] || echo +cpu > "$JOBS_CG/cgroup.subtree_control"
  for i in 1 2 3 4; do
    mkdir -p "$JOBS_CG/w$i"
    jobs_quota "$i" "${JOB_QUOTAS[$((i - 1))]}"
  done
}
# jobs_quota I PERCENT: worker I may use PERCENT % of one core.
jobs_quota() {
  local dir=$JOBS_CG/w$1 quota_us=$(( $2 * JOB_PERIOD_US / 100 ))
  if [ "$JOBS_CG_KIND" = v1 ]; then
    echo "$JOB_PERIOD_US" > "$dir/cpu.cfs_period_us"
    echo "$quota_us" > "$dir/cpu.cfs_quota_us"
  else
    echo "$quota_us $JOB_PERIOD_US" > "$dir/cpu.max"
  fi
}
# cut_command: the shell line that cuts worker 1's quota (run by the Dask driver on its timer).
cut_command() {
  local quota_us=$(( JOB_CUT_TO * JOB_PERIOD_US / 100 ))
  if [ "$JOBS_CG_KIND" = v1 ]; then
    echo "echo $quota_us > $JOBS_CG/w1/cpu.cfs_quota_us"
  else
    echo "echo '$quota_us $JOB_PERIOD_US' > $JOBS_CG/w1/cpu.max"
  fi
}
# in_cgroup I CMD...: runs CMD in worker I's cgroup (exec: "CMD &" leaves $! the command's pid).
in_cgroup() {
  local dir=$JOBS_CG/w$1; shift
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}
jobs_cgroups_remove() {
  [ -n "${JOBS_CG:-}" ] && [ -d "$JOBS_CG" ] || return 0
  local i pid
  for i in 1 2 3 4; do
    for pid in $(cat "$JOBS_CG/w$i/cgroup.procs" 2> /dev/null); do kill -9 "$pid" 2> /dev/null; done
  done
  sleep 0.5
  rmdir "$JOBS_CG"/w[1-4] "$JOBS_CG" 2> /dev/null || true
}

# ---- the workload ------------------------------------------------------------------------------
# builtin_json I ITEMS: `pifleet job run-builtin` over items 0..ITEMS-1 in worker I's cgroup.
builtin_json() {
  in_cgroup "$1" "$PIFLEET" job run-builtin --items "0..$(( $2 - 1 ))" --rounds "$JOB_ROUNDS" --json
}
# xor_digests HEX...: the XOR of digests (a job's results fold the same way).
xor_digests() { python3 -c 'import sys; v = 0
for h in sys.argv[1:]: v ^= int(h, 16)
print(f"{v:064x}")' "$@"; }

# equal_split ITEMS [CUT_AFTER_S]: each worker takes a quarter at once; prints "MAKESPAN_S DIGEST".
equal_split() {
  local items=$1 cut=${2:-0} i t0 t1 pids=() digests=()
  t0=$(date +%s%N)
  if [ "$cut" != 0 ]; then (sleep "$cut"; jobs_quota 1 "$JOB_CUT_TO") & fi
  for i in 1 2 3 4; do
    local from=$(( items * (i - 1) / 4 )) to=$(( items * i / 4 - 1 ))
    in_cgroup "$i" "$PIFLEET" job run-builtin --items "$from..$to" --rounds "$JOB_ROUNDS" \
      --json > "$WORK/equal.$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(date +%s%N)
  wait  # the cut, if any
  jobs_quota 1 "${JOB_QUOTAS[0]}"
  for i in 1 2 3 4; do digests+=("$(jf "$(cat "$WORK/equal.$i")" digest)"); done
  echo "$(python3 -c "print(($t1 - $t0) / 1e9)") $(xor_digests "${digests[@]}")"
}

# ---- pifleet: 4 agents, one per cgroup (3 voters and a learner; every member is a worker) ----
jobs_pifleet_up() {
  pifleet_down
  in_cgroup 1 true || die "cannot move a process into $JOBS_CG/w1"
  start_agent_in 1 --seed --voters 3
  wait_until 20 has_leader 1 || die "pifleet: the seed did not come up"
  local n
  for n in 2 3 4; do start_agent_in "$n" --join "$(addr 1)"; done
  wait_until 60 is_voter_count 1 3 || die "pifleet: autopilot did not make 3 voters"
}
start_agent_in() {
  local n=$1; shift
  in_cgroup "$n" "$PIFLEET" agent --data-dir "$WORK/n$n" --listen "$(addr "$n")" \
    --key-file "$WORK/cluster.key" --name "n$n" --metrics-listen "" "$@" >> "$WORK/n$n.log" 2>&1 &
  PIDS[$n]=$!
}
jobs_pf() { "$PIFLEET" --key-file "$WORK/cluster.key" --endpoints "$(endpoints 1 2 3 4)" "$@"; }
# capacities: "c1 c2 c3 c4" (capacity_milli of n1..n4 from the members table; 0 unknown)
capacities() {
  jobs_pf members --json | python3 -c 'import json, sys
rows = {r["name"]: r for r in json.load(sys.stdin)}
print(" ".join(str(rows.get(f"n{i}", {}).get("capacity_milli", 0)) for i in (1, 2, 3, 4)))'
}
# The probes see the quotas: 80 % above 40 % above each 20 %, within a third of the quota ratios.
capacities_follow_quotas() {
  python3 - $(capacities) "${JOB_QUOTAS[@]}" <<'PY'
import sys
caps, quotas = [int(x) for x in sys.argv[1:5]], [int(x) for x in sys.argv[5:9]]
if min(caps) == 0: sys.exit(1)
for c, q in zip(caps, quotas):
    expected = q / quotas[0] * caps[0]
    if abs(c - expected) > expected / 3: sys.exit(1)
PY
}
# counter NAME: the sum of a metric over the 4 agents.
counter() {
  local n total=0 value
  for n in 1 2 3 4; do
    value=$("$PIFLEET" --key-file "$WORK/cluster.key" --endpoints "$(addr "$n")" metrics |
      awk -v name="$1" '$1 == name {print $2}')
    total=$(( total + ${value%.*} ))
  done
  echo "$total"
}
# pifleet_job NAME ITEMS [CUT_AFTER_S]: prints "MAKESPAN_S DIGEST CHUNKS DATAGRAMS SYNCS".
pifleet_job() {
  local name=$1 items=$2 cut=${3:-0} sent0 syncs0 state
  sent0=$(counter pifleet_udp_datagrams_sent_total)
  syncs0=$(counter pifleet_wal_syncs_total)
  jobs_pf job submit --name "$name" --builtin sha256 --rounds "$JOB_ROUNDS" \
    --items "0..$(( items - 1 ))" --chunk-min "$JOB_CHUNK_MIN" > /dev/null || die "pifleet: submit of $name refused"
  if [ "$cut" != 0 ]; then (sleep "$cut"; jobs_quota 1 "$JOB_CUT_TO") & fi
  while :; do
    state=$(jobs_pf job status "$name" --json 2> /dev/null | python3 -c 'import json, sys
print(json.loads(sys.stdin.readline())["state"])' 2> /dev/null || echo unknown)
    case "$state" in done) break ;; failed|cancelled) die "pifleet: job $name $state" ;; esac
    sleep 0.5
  done
  wait  # the cut, if any
  jobs_quota 1 "${JOB_QUOTAS[0]}"
  local sent=$(( $(counter pifleet_udp_datagrams_sent_total) - sent0 ))
  local syncs=$(( $(counter pifleet_wal_syncs_total) - syncs0 ))
  jobs_pf job status "$name" --json > "$WORK/$name.status"
  jobs_pf job results "$name" --json > "$WORK/$name.results"
  python3 - "$WORK/$name.status" "$WORK/$name.results" "$sent" "$syncs" <<'PY'
import json, sys
status = json.loads(open(sys.argv[1]).readline())
chunks = json.load(open(sys.argv[2]))
digest = 0
for c in chunks:
    digest ^= int(c["output"].strip(), 16)
makespan_s = (status["finished_ms"] - status["submitted_ms"]) / 1000
print(f"{makespan_s} {digest:064x} {len(chunks)} {sys.argv[3]} {sys.argv[4]}")
PY
}

# ---- Dask distributed: a scheduler (no quota) and a worker per cgroup -------------------------
jobs_dask_up() {
  local port=$((BASE_PORT + 200)) i
  DASK_ADDR=tcp://127.0.0.1:$port
  dask-scheduler --host 127.0.0.1 --port "$port" --no-dashboard > "$WORK/dask-scheduler.log" 2>&1 &
  DASK_PIDS=($!)
  for i in 1 2 3 4; do
    in_cgroup "$i" dask-worker "$DASK_ADDR" --nthreads 1 --nworkers 1 --no-nanny \
      --no-dashboard --memory-limit 0 --host 127.0.0.1 --name "w$i" > "$WORK/dask-w$i.log" 2>&1 &
    DASK_PIDS+=($!)
  done
}
jobs_dask_down() { kill "${DASK_PIDS[@]}" 2> /dev/null || true; wait "${DASK_PIDS[@]}" 2> /dev/null || true; }
# dask_job ITEMS [CUT_AFTER_S]: prints "MAKESPAN_S DIGEST".
dask_job() {
  local cut=${2:-0} out
  out=$(python3 "$BENCH_DIR/dask_jobs.py" "$DASK_ADDR" "$PIFLEET" "$1" "$JOB_ROUNDS" \
    "$DASK_TASKS" 4 --cut-after-s "$cut" \
    --cut-command "$(cut_command)" \
    2>> "$WORK/dask-client.log") || die "dask: the job failed (see $WORK/dask-client.log)"
  jobs_quota 1 "${JOB_QUOTAS[0]}"
  echo "$(jf "$out" makespan_s) $(jf "$out" digest)"
}

# ---- the mode ----------------------------------------------------------------------------------
mode_jobs() {
  step "jobs: 4 workers in cgroups of ${JOB_QUOTAS[*]} % of a core; pifleet, an equal split and Dask against the ideal; then worker 1 cut to $JOB_CUT_TO % halfway"
  if ! jobs_cgroups_make; then
    echo "jobs: SKIPPED: $JOBS_SKIP" >&2
    row jobs "makespan / ideal" ratio "not measured: $JOBS_SKIP" - -
    return 0
  fi
  command -v dask-scheduler > /dev/null ||
    die "dask-scheduler is not installed (scripts/setup installs python3-distributed)"
  # Each cgroup's speed alone, about 3 s each (a first run outside any cgroup sizes them).
  local probe speed=() i total_speed cut_speed items ideal cut_s ideal_cut
  probe=$(jf "$("$PIFLEET" job run-builtin --items 0..199 --rounds "$JOB_ROUNDS" --json)" \
    items_per_s)
  for i in 1 2 3 4; do
    speed[i]=$(jf "$(builtin_json "$i" "$(python3 -c "print(max(20, int($probe * ${JOB_QUOTAS[$((i - 1))]} / 100 * $JOB_SECONDS_PER_PROBE)))")")" items_per_s)
  done
  # The four together, each sized for the same time at its speed alone: the speeds the cgroups
  # reach when all four run at once on this machine's cores, as in a job (the ideal's capacity).
  local together=() pids=()
  for i in 1 2 3 4; do
    builtin_json "$i" "$(python3 -c "print(max(20, int(${speed[i]} * $JOB_SECONDS_PER_PROBE * 2)))")" \
      > "$WORK/together.$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  for i in 1 2 3 4; do together[i]=$(jf "$(cat "$WORK/together.$i")" items_per_s); done
  jobs_quota 1 "$JOB_CUT_TO"
  cut_speed=$(jf "$(builtin_json 1 "$(python3 -c "print(max(20, int($probe * $JOB_CUT_TO / 100 * $JOB_SECONDS_PER_PROBE)))")")" items_per_s)
  jobs_quota 1 "${JOB_QUOTAS[0]}"
  # Worker 1's speed after the cut, as a share of its speed together: it runs beside the others.
  read -r total_speed items ideal cut_s ideal_cut ideal_alone <<< "$(python3 - "$JOB_TARGET_S" "$cut_speed" "${speed[@]:1}" "${together[@]:1}" <<'PY'
import sys
target_s, cut_speed = float(sys.argv[1]), float(sys.argv[2])
alone, speeds = [float(x) for x in sys.argv[3:7]], [float(x) for x in sys.argv[7:11]]
total = sum(speeds)
items = int(target_s * total)
ideal = items / total
cut_s = ideal / 2                      # worker 1 slows down halfway through the ideal run
cut_speed *= speeds[0] / alone[0]      # measured alone: scaled as its full speed was
after = total - speeds[0] + cut_speed  # the fleet's speed after the cut
ideal_cut = cut_s + (items - total * cut_s) / after
print(f"{total:.1f} {items} {ideal:.3f} {cut_s:.3f} {ideal_cut:.3f} {items / sum(alone):.3f}")
PY
)"
  # The smallest chunk: 20 ms of the whole fleet's work (a claim and a result cost two rounds).
  JOB_CHUNK_MIN=$(python3 -c "print(max(1, int($total_speed * 0.02)))")
  echo "  speeds alone (items/s): ${speed[*]:1} (worker 1 at $JOB_CUT_TO %: $cut_speed); together: ${together[*]:1}; $items items, chunk-min $JOB_CHUNK_MIN; ideal ${ideal} s (${ideal_alone} s by the speeds alone), with the cut ${ideal_cut} s" >&2

  local eq eq_cut pf pf_cut dk dk_cut reference
  eq=$(equal_split "$items")
  eq_cut=$(equal_split "$items" "$cut_s")
  reference=$(awk '{print $2}' <<< "$eq")
  echo "  equal split: ${eq%% *} s; with the cut ${eq_cut%% *} s" >&2

  jobs_pifleet_up
  wait_until 60 capacities_follow_quotas ||
    die "pifleet: the capacities $(capacities) do not follow the quotas ${JOB_QUOTAS[*]}"
  echo "  pifleet capacities (milli): $(capacities)" >&2
  pf=$(pifleet_job steady "$items")
  # The probe sees the 80 % quota again before the second job.
  wait_until 60 capacities_follow_quotas || die "pifleet: capacities did not recover: $(capacities)"
  pf_cut=$(pifleet_job cut "$items" "$cut_s")
  pifleet_down
  echo "  pifleet: (makespan digest chunks datagrams fsyncs) $pf; with the cut $pf_cut" >&2

  jobs_dask_up
  dk=$(dask_job "$items")
  dk_cut=$(dask_job "$items" "$cut_s")
  jobs_dask_down
  echo "  dask: $dk; with the cut $dk_cut" >&2
  jobs_cgroups_remove

  local run
  for run in "$pf" "$pf_cut" "$eq_cut" "$dk" "$dk_cut"; do
    [ "$(awk '{print $2}' <<< "$run")" = "$reference" ] ||
      die "jobs: a run's digest differs from the equal split's: $run (want $reference)"
  done
  echo "jobs quotas ${JOB_QUOTAS[*]} cut_to $JOB_CUT_TO speeds ${speed[*]:1} together ${together[*]:1} cut_speed $cut_speed items $items rounds $JOB_ROUNDS chunk_min $JOB_CHUNK_MIN ideal $ideal ideal_cut $ideal_cut equal $eq equal_cut $eq_cut pifleet $pf pifleet_cut $pf_cut dask $dk dask_cut $dk_cut" >> "$WORK/loads.txt"
  ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
  local p e d p_cut e_cut d_cut chunks sent syncs
  p=$(ratio "${pf%% *}" "$ideal") e=$(ratio "${eq%% *}" "$ideal") d=$(ratio "${dk%% *}" "$ideal")
  p_cut=$(ratio "${pf_cut%% *}" "$ideal_cut") e_cut=$(ratio "${eq_cut%% *}" "$ideal_cut")
  d_cut=$(ratio "${dk_cut%% *}" "$ideal_cut")
  read -r _ _ chunks sent syncs <<< "$pf"
  local quotas="${JOB_QUOTAS[*]}"
  row jobs "makespan / ideal, quotas ${quotas// //} % of a core: pifleet; other: Dask ($DASK_TASKS equal tasks)" ratio "$p" "$d" "pifleet<=1.05"
  row jobs "the same; other: an equal split" ratio "$p" "$e" "ratio<=1"
  row jobs "the same, the ideal from each cgroup's speed alone: pifleet; other: Dask" ratio \
    "$(ratio "${pf%% *}" "$ideal_alone")" "$(ratio "${dk%% *}" "$ideal_alone")" -
  row jobs "makespan / ideal, worker 1 cut to $JOB_CUT_TO % halfway: pifleet; other: Dask" ratio "$p_cut" "$d_cut" "ratio<=1"
  row jobs "the same; other: an equal split" ratio "$p_cut" "$e_cut" "ratio<=1"
  row jobs "datagrams the 4 agents sent during the job (heartbeats and beats included), per chunk ($chunks chunks)" 1 "$(( sent / chunks ))" - -
  row jobs "WAL fsyncs of the 4 agents during the job, per chunk" 1 "$(python3 -c "print(round($syncs / $chunks, 1))")" - -
}
