# shellcheck shell=bash
# What tests/bench/run's cluster modes share (modes.sh uses it): a 3-voter pifleet
# cluster and a 3-member etcd cluster on loopback, fresh data dirs each time, both killed when
# the script exits; and a process's CPU ticks, RSS and disk writes from /proc. Sourced after
# PIFLEET is set; the agents come from tests/cluster/lib.sh (start_agent, leader_node, ...).
# Data dirs go under BENCH_WORK_PARENT (default build/bench-work on the checkout's disk, not a
# tmpfs /tmp where fsync costs nothing).
BENCH_WORK_PARENT=${BENCH_WORK_PARENT:-$PIFLEET_ROOT/build/bench-work}
mkdir -p "$BENCH_WORK_PARENT"
export PIFLEET_WORK_PARENT=$BENCH_WORK_PARENT
source "$PIFLEET_ROOT/tests/cluster/lib.sh"

ETCD_BASE_PORT=$((BASE_PORT + 100))
declare -A ETCD_PIDS=()
BENCH_CLEANUPS=()  # modes add functions that undo what they set up (jobs: its cgroups)

bench_cleanup() {
  local status=$?
  {  # stderr off: no "Killed" job notices
    for hook in "${BENCH_CLEANUPS[@]}"; do "$hook" || true; done
    for n in "${!ETCD_PIDS[@]}"; do kill -9 "${ETCD_PIDS[$n]}" || true; done
    # A bare `wait` (no etcd running) would wait for the agents, which cleanup kills only next.
    if [ ${#ETCD_PIDS[@]} -gt 0 ]; then wait "${ETCD_PIDS[@]}" || true; fi
  } 2> /dev/null
  set +e  # so that the next line hands the status on instead of exiting
  (exit "$status")
  cleanup  # tests/cluster/lib.sh: the agents, background jobs, $WORK
}
trap bench_cleanup EXIT

# ---- pifleet: 3 voters -------------------------------------------------------------------------
pifleet_up() {
  pifleet_down
  start_agent 1 --seed --voters 3
  wait_until 20 has_leader 1 || fail "pifleet: the seed did not come up"
  start_agent 2 --join "$(addr 1)"
  start_agent 3 --join "$(addr 1)"
  wait_until 60 is_voter_count 1 3 || fail "pifleet: autopilot did not make 3 voters"
}
pifleet_down() {
  local n
  for n in "${!PIDS[@]}"; do kill_agent "$n"; done
  rm -rf "$WORK"/n[0-9]
}
pifleet_pids() { echo "${PIDS[1]} ${PIDS[2]} ${PIDS[3]}"; }
# The three endpoints, the leader's first: a client asks the first one first.
pifleet_endpoints() {
  local leader n list
  leader=$(leader_node 1 2 3) || { echo "FAIL: pifleet: no leader" >&2; exit 1; }
  list=$(addr "$leader")
  for n in 1 2 3; do [ "$n" = "$leader" ] || list+=",$(addr "$n")"; done
  echo "$list"
}
# pifleet_bench CLIENTS SECONDS: one `pifleet bench put --json` line against the leader first.
pifleet_bench() {
  "$PIFLEET" --endpoints "$(pifleet_endpoints)" --key-file "$WORK/cluster.key" \
    bench put --clients "$1" --duration-s "$2" --key-bytes "$KEY_BYTES" \
    --value-bytes "$VALUE_BYTES" --json 2>> "$WORK/bench-progress.log"
}

# The WAL fdatasyncs of all three agents so far (pifleet_wal_syncs_total; snapshot files, written
# every 1000 slots, are not counted).
pifleet_syncs() {
  local n total=0 count
  for n in 1 2 3; do
    count=$("$PIFLEET" --endpoints "$(addr "$n")" --key-file "$WORK/cluster.key" metrics |
      awk '$1 == "pifleet_wal_syncs_total" {print $2}')
    total=$(( total + ${count%.*} ))
  done
  echo "$total"
}

# ---- etcd: 3 members (Debian etcd-server, fsync on as by default) ------------------------------
etcd_client_port() { echo $((ETCD_BASE_PORT + $1)); }
etcd_peer_port() { echo $((ETCD_BASE_PORT + 10 + $1)); }
etcd_url() { echo "http://127.0.0.1:$(etcd_client_port "$1")"; }
etcd_endpoints() { echo "$(etcd_url 1),$(etcd_url 2),$(etcd_url 3)"; }
# start_etcd N: member N, a new cluster on its first start, its own data dir on a restart.
start_etcd() {
  local n=$1 m initial=""
  for m in 1 2 3; do initial+="${initial:+,}e$m=http://127.0.0.1:$(etcd_peer_port "$m")"; done
  etcd --name "e$n" --data-dir "$WORK/e$n" \
    --listen-client-urls "$(etcd_url "$n")" --advertise-client-urls "$(etcd_url "$n")" \
    --listen-peer-urls "http://127.0.0.1:$(etcd_peer_port "$n")" \
    --initial-advertise-peer-urls "http://127.0.0.1:$(etcd_peer_port "$n")" \
    --initial-cluster "$initial" --initial-cluster-state new \
    --initial-cluster-token "bench-$BASE_PORT" \
    --logger zap --log-outputs stderr --log-level error >> "$WORK/e$n.log" 2>&1 &
  ETCD_PIDS[$n]=$!
}
etcd_healthy() {
  ETCDCTL_API=3 etcdctl --endpoints "$(etcd_endpoints)" --dial-timeout 1s --command-timeout 2s \
    endpoint health > /dev/null 2>&1
}
etcd_up() {
  command -v etcd > /dev/null || fail "etcd is not installed (scripts/setup installs etcd-server)"
  etcd_down
  local n
  for n in 1 2 3; do start_etcd "$n"; done
  wait_until 30 etcd_healthy || fail "etcd: the 3 members did not become healthy"
}
kill_etcd() {
  kill -9 "${ETCD_PIDS[$1]}" 2> /dev/null || true
  wait "${ETCD_PIDS[$1]}" 2> /dev/null || true
  unset "ETCD_PIDS[$1]"
}
etcd_down() {
  local n
  for n in "${!ETCD_PIDS[@]}"; do kill_etcd "$n"; done
  rm -rf "$WORK"/e[0-9]
}
etcd_pids() { echo "${ETCD_PIDS[1]} ${ETCD_PIDS[2]} ${ETCD_PIDS[3]}"; }
# The member number of etcd's leader (1-3).
etcd_leader() {
  ETCDCTL_API=3 etcdctl --endpoints "$(etcd_endpoints)" --dial-timeout 1s --command-timeout 2s \
    endpoint status -w json 2> /dev/null | python3 -c '
import json, sys
for row in json.load(sys.stdin):
    if row["Status"]["header"]["member_id"] == row["Status"]["leader"]:
        print(int(row["Endpoint"].rsplit(":", 1)[1]) - int(sys.argv[1])); break
else:
    sys.exit(1)' "$ETCD_BASE_PORT"
}
# etcd_bench CLIENTS SECONDS: the same workload as pifleet_bench through etcd's JSON gateway
# (wrk, one request in flight per connection), as a `pifleet bench put --json` line.
etcd_bench() {
  local clients=$1 seconds=$2 leader threads
  leader=$(etcd_leader) || { echo "FAIL: etcd: no leader" >&2; exit 1; }
  threads=$(( clients < $(nproc) ? clients : $(nproc) ))
  wrk -t "$threads" -c "$clients" -d "${seconds}s" --timeout 10s \
    -s "$PIFLEET_ROOT/tests/bench/etcd_put.lua" "$(etcd_url "$leader")" \
    -- "$KEY_BYTES" "$VALUE_BYTES" 2>> "$WORK/bench-progress.log" | tail -n 1 |
    python3 -c '
import json, sys
w = json.loads(sys.stdin.readline())
ops = w["requests"] - w["status_errors"]
print(json.dumps({"clients": int(sys.argv[1]), "ops": ops,
                  "throughput_per_s": round(ops / (w["duration_us"] / 1e6), 1),
                  "p50_ms": w["p50_ms"], "p99_ms": w["p99_ms"], "errors": w["errors"]},
                 separators=(",", ":")))' "$clients"
}

# The fsyncs of all three members so far, from their /metrics: WAL fsyncs and backend (bbolt)
# commits, each of which ends in an fdatasync.
etcd_syncs() {
  python3 - "$(etcd_url 1)" "$(etcd_url 2)" "$(etcd_url 3)" <<'PY'
import sys, urllib.request
names = ("etcd_disk_wal_fsync_duration_seconds_count",
         "etcd_disk_backend_commit_duration_seconds_count")
total = 0
for url in sys.argv[1:]:
    for line in urllib.request.urlopen(url + "/metrics", timeout=5).read().decode().splitlines():
        if line.split(" ")[0] in names:
            total += int(float(line.split(" ")[1]))
print(total)
PY
}

# ---- one process in /proc ---------------------------------------------------------------------
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }        # user + system, 1/CLK_TCK s
# The CPU time of the process's threads in ns (schedstat), for figures near a tick: over 60 s
# one CLK_TCK (10 ms) is 0.017 % of a core. A thread that exits meanwhile is not counted.
proc_cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ns += $1} END {print ns + 0}'; }
proc_rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
proc_write_bytes() { awk '/^write_bytes/ {print $2}' "/proc/$1/io"; }
# sum_write_bytes PID...: the disk writes of all of them.
sum_write_bytes() {
  local pid total=0
  for pid in "$@"; do total=$(( total + $(proc_write_bytes "$pid") )); done
  echo "$total"
}
