# shellcheck shell=bash
# tests/bench/run scale (issue 20, DESIGN §11: decisions reach 200 learners within 100 ms p99):
# 5 voters and SCALE_LEARNERS learners, each its own `pifleet agent` process on 127.0.0.1 (the
# wire between every two of them is real UDP). The learners join the way docs/quickstart.md
# says (`--join` a member, `--role learner`), in batches, until the leader's status lists them
# all. Then tests/bench/scale_probe.py puts SCALE_DECISIONS keys through the leader, one at a
# time, and for each reads every node's /metrics afterwards: when the leader sent the decision
# and when each node applied it, wall clock times the agents take themselves, so the figures are
# the learners' apply times, not the delay of polling 205 nodes. Also the leader's CPU (utime +
# stime from /proc/PID/stat) idle and over the decisions, its RSS, and the learners' idle CPU.
# Sourced by tests/bench/run after lib.sh.
SCALE_VOTERS=5
SCALE_METRICS_PORT_OFFSET=1000  # node N's /metrics: 127.0.0.1:BASE_PORT+1000+N

scale_metrics_url() { echo "http://127.0.0.1:$((BASE_PORT + SCALE_METRICS_PORT_OFFSET + $1))/metrics"; }
# scale_agent N [flags...]: node N with its /metrics listener on.
scale_agent() {
  local n=$1; shift
  METRICS_LISTEN=127.0.0.1:$((BASE_PORT + SCALE_METRICS_PORT_OFFSET + n)) start_agent "$n" "$@"
}
# learners_of N: how many learners node N's status lists.
learners_of() {
  cli --endpoints "$(addr "$1")" status --json 2> /dev/null |
    python3 -c 'import json,sys; print(len(json.loads(sys.stdin.readline())["learners"]))' \
      2> /dev/null
}
learners_at_least() { local got; got=$(learners_of "$1") && [ "$got" -ge "$2" ]; }
scale_down() {
  local n
  for n in "${!PIDS[@]}"; do kill -9 "${PIDS[$n]}" 2> /dev/null || true; done
  for n in "${!PIDS[@]}"; do kill_agent "$n"; done
  rm -rf "$WORK"/n[0-9]*
}

# scale_up: the voters, then the learners in batches of SCALE_BATCH, each batch waited for.
scale_up() {
  local n last joined t0
  scale_down
  scale_agent 1 --seed --voters "$SCALE_VOTERS"
  wait_until 20 has_leader 1 || die "scale: the seed did not come up"
  for n in $(seq 2 "$SCALE_VOTERS"); do scale_agent "$n" --join "$(addr 1)"; done
  wait_until 60 is_voter_count 1 "$SCALE_VOTERS" ||
    die "scale: autopilot did not make $SCALE_VOTERS voters"
  t0=$(date +%s)
  for ((joined = 0; joined < SCALE_LEARNERS; joined = last)); do
    last=$(( joined + SCALE_BATCH < SCALE_LEARNERS ? joined + SCALE_BATCH : SCALE_LEARNERS ))
    for n in $(seq $((SCALE_VOTERS + joined + 1)) $((SCALE_VOTERS + last))); do
      scale_agent "$n" --join "$(addr 1)" --role learner
    done
    wait_until 120 learners_at_least 1 "$last" ||
      die "scale: the leader lists $(learners_of 1) learners, $last expected"
    echo "  scale: $last/$SCALE_LEARNERS learners joined ($(( $(date +%s) - t0 )) s)" >&2
  done
  SCALE_JOIN_S=$(( $(date +%s) - t0 ))
}

# cpu_percent TICKS SECONDS: TICKS of CPU time over SECONDS as % of one core.
cpu_percent() { python3 -c 'import os,sys; print(round(100 * int(sys.argv[1]) / os.sysconf("SC_CLK_TCK") / float(sys.argv[2]), 2))' "$1" "$2"; }

mode_scale() {
  step "scale: $SCALE_VOTERS voters + $SCALE_LEARNERS learners, one agent each on 127.0.0.1; $SCALE_DECISIONS puts through the leader, each timed to its apply on every learner"
  local leader lpid n urls=() t0 t1 before line idle_cpu learners_cpu
  scale_up
  # shellcheck disable=SC2046  # the node numbers are words on purpose
  leader=$(leader_node $(seq 1 "$SCALE_VOTERS")) || die "scale: no leader"
  lpid=${PIDS[$leader]}
  sleep "$SCALE_SETTLE_S"  # past the joins' member updates
  # Idle: the leader, and each learner, with heartbeats to every node and no decisions.
  declare -A idle_before=()
  for n in "${!PIDS[@]}"; do idle_before[$n]=$(proc_ticks "${PIDS[$n]}"); done
  sleep "$SCALE_IDLE_S"
  idle_cpu=$(cpu_percent $(( $(proc_ticks "$lpid") - idle_before[$leader] )) "$SCALE_IDLE_S")
  learners_cpu=$(for n in $(seq $((SCALE_VOTERS + 1)) $((SCALE_VOTERS + SCALE_LEARNERS))); do
      echo $(( $(proc_ticks "${PIDS[$n]}") - idle_before[$n] ))
    done | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  learners_cpu=$(cpu_percent "$learners_cpu" "$SCALE_IDLE_S")
  urls=("$(scale_metrics_url "$leader")")
  for n in $(seq $((SCALE_VOTERS + 1)) $((SCALE_VOTERS + SCALE_LEARNERS))); do
    urls+=("$(scale_metrics_url "$n")")
  done
  before=$(proc_ticks "$lpid")
  t0=$(date +%s%N)
  line=$(python3 "$BENCH_DIR/scale_probe.py" --pifleet "$PIFLEET" --key-file "$WORK/cluster.key" \
    --endpoint "$(addr "$leader")" --decisions "$SCALE_DECISIONS" --raw "$WORK/scale.delays" \
    "${urls[@]}") || die "scale: the probe failed"
  t1=$(date +%s%N)
  local seconds busy_cpu rss
  seconds=$(python3 -c "print(($t1 - $t0) / 1e9)")
  busy_cpu=$(cpu_percent $(( $(proc_ticks "$lpid") - before )) "$seconds")
  rss=$(awk -v k="$(proc_rss_kib "$lpid")" 'BEGIN {printf "%.1f", k / 1024}')
  scale_down
  echo "scale pifleet $line join_s $SCALE_JOIN_S leader_idle_cpu $idle_cpu leader_busy_cpu $busy_cpu leader_rss_mib $rss learner_idle_cpu_median $learners_cpu" >> "$WORK/loads.txt"
  echo "  scale: $line; leader CPU idle $idle_cpu %, over the decisions $busy_cpu %, RSS $rss MiB" >&2
  local shape="$SCALE_VOTERS voters + $SCALE_LEARNERS learners"
  row scale "$shape: decided on the leader to applied on every learner, p50 of $(jf "$line" decisions)" \
    ms "$(jf "$line" decided_p50_ms)" - -
  row scale "the same, p99" ms "$(jf "$line" decided_p99_ms)" - "pifleet<=100"
  row scale "acknowledged on the leader (after its decision datagrams) to applied on every learner, p50" \
    ms "$(jf "$line" acked_p50_ms)" - -
  row scale "the same, p99" ms "$(jf "$line" acked_p99_ms)" - "pifleet<=100"
  row scale "decided to applied on one learner, p99 of every (decision, learner) pair" ms \
    "$(jf "$line" pairs_p99_ms)" - -
  row scale "decided to acknowledged on the leader (its sends to the other nodes), p50" ms \
    "$(jf "$line" leader_p50_ms)" - -
  row scale "leader CPU over the decisions ($(jf "$line" seconds) s)" "% of a core" "$busy_cpu" - -
  row scale "leader CPU idle, over $SCALE_IDLE_S s" "% of a core" "$idle_cpu" - -
  row scale "learner CPU idle, median of $SCALE_LEARNERS" "% of a core" "$learners_cpu" - -
  row scale "leader RSS" MiB "$rss" - -
  row scale "time for the $SCALE_LEARNERS learners to join, $SCALE_BATCH at a time" s \
    "$SCALE_JOIN_S" - -
}
