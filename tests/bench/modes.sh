# shellcheck shell=bash
# The modes of tests/bench/run, one function each, sourced after tests/bench/lib.sh. Each adds
# rows to $ROWS (tab-separated: section, what, unit, pifleet, etcd, target); report.py turns
# them into the table. A target is "ratio>=X", "ratio<=X" (pifleet / etcd) or "pifleet<=X".

row() { local IFS=$'\t'; echo "$*" >> "$ROWS"; }
# die WHY: fail from inside $(...), where fail's stdout would be captured.
die() { echo "FAIL: $*" >&2; exit 1; }
# of_clients N: "1 client", "16 clients".
of_clients() { [ "$1" = 1 ] && echo "1 client" || echo "$1 clients"; }
# jf JSON FIELD: one field of a JSON object.
jf() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# load SYSTEM CLIENTS SECONDS: the system's bench line plus "disk_bytes", what all its members
# wrote to disk meanwhile (/proc/PID/io write_bytes), and "syncs", their fsyncs meanwhile.
load() {
  local system=$1 pids before line after syncs_before syncs_after
  pids=$("${system}_pids")
  syncs_before=$("${system}_syncs") || die "$system: no metrics"
  before=$(sum_write_bytes $pids)
  line=$("${system}_bench" "$2" "$3") || die "$system: the load at $2 clients failed"
  after=$(sum_write_bytes $pids)
  syncs_after=$("${system}_syncs") || die "$system: no metrics"
  line=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["disk_bytes"]=int(sys.argv[2])
d["syncs"]=int(sys.argv[3])
print(json.dumps(d, separators=(",", ":")))' "$line" $((after - before)) $((syncs_after - syncs_before)))
  [ "$(jf "$line" ops)" -gt 0 ] || die "$system: no put acknowledged at $2 clients: $line"
  echo "$system $line" >> "$WORK/loads.txt"
  echo "  $system: $line" >&2
  echo "$line"
}

# disk_row CLIENTS PIFLEET_LINE ETCD_LINE: bytes written per acknowledged put.
disk_row() {
  local per_put='import json,sys; d=json.loads(sys.argv[1]); print(round(d["disk_bytes"]/max(d["ops"],1)))'
  local target=-
  [ "$1" = "$DISK_CLIENTS" ] && target="ratio<=0.25"
  row disk "bytes written per put, $(of_clients "$1") (all 3 members)" bytes \
    "$(python3 -c "$per_put" "$2")" "$(python3 -c "$per_put" "$3")" "$target"
  local syncs='import json,sys; d=json.loads(sys.argv[1]); print(round(d["syncs"]/max(d["ops"],1), 2))'
  row disk "fsyncs per put, $(of_clients "$1") (all 3 members)" count \
    "$(python3 -c "$syncs" "$2")" "$(python3 -c "$syncs" "$3")" -
}

mode_kv() {
  step "kv: puts (keys $KEY_BYTES B, values $VALUE_BYTES B) at ${CLIENT_COUNTS[*]} clients, $KV_S s each"
  local c
  declare -A got=()
  pifleet_up
  for c in "${CLIENT_COUNTS[@]}"; do got[pifleet$c]=$(load pifleet "$c" "$KV_S"); done
  pifleet_down
  etcd_up
  for c in "${CLIENT_COUNTS[@]}"; do got[etcd$c]=$(load etcd "$c" "$KV_S"); done
  etcd_down
  for c in "${CLIENT_COUNTS[@]}"; do
    local p=${got[pifleet$c]} e=${got[etcd$c]}
    row kv "throughput, $(of_clients "$c")" puts/s "$(jf "$p" throughput_per_s)" \
      "$(jf "$e" throughput_per_s)" "$([ "$c" = 64 ] && echo 'ratio>=5' || echo -)"
    row kv "put latency p50, $(of_clients "$c")" ms "$(jf "$p" p50_ms)" "$(jf "$e" p50_ms)" \
      "$([ "$c" = 1 ] && echo 'ratio<=0.333' || echo -)"
    row kv "put latency p99, $(of_clients "$c")" ms "$(jf "$p" p99_ms)" "$(jf "$e" p99_ms)" -
    row kv "errors, $(of_clients "$c")" count "$(jf "$p" errors)" "$(jf "$e" errors)" -
  done
  if wants disk; then
    for c in "${CLIENT_COUNTS[@]}"; do disk_row "$c" "${got[pifleet$c]}" "${got[etcd$c]}"; done
  fi
}

# With kv in the same run, its loads gave the disk figures already.
mode_disk() {
  wants kv && return 0
  step "disk: bytes written per put at $DISK_CLIENTS clients, $KV_S s"
  local p e
  pifleet_up
  p=$(load pifleet "$DISK_CLIENTS" "$KV_S")
  pifleet_down
  etcd_up
  e=$(load etcd "$DISK_CLIENTS" "$KV_S")
  etcd_down
  disk_row "$DISK_CLIENTS" "$p" "$e"
}

# A failover round: LOAD_CLIENTS clients put through the survivors (pifleet bench put, wrk),
# one more puts once, the leader gets SIGKILL, and that client times its next acknowledged put.
# A failover round sets ROUND_MS (not printed: it restarts a member, which must stay this shell's
# child).
pifleet_failover_round() {
  local leader n survivors=() target ms
  wait_until 30 is_voter_count 1 3 || fail "pifleet failover: 3 voters expected"
  leader=$(leader_node 1 2 3) || fail "pifleet failover: no leader"
  for n in 1 2 3; do [ "$n" = "$leader" ] || survivors+=("$n"); done
  sleep 2  # heartbeats flowing again after the previous round's restart
  "$PIFLEET" --endpoints "$(endpoints "${survivors[@]}")" --key-file "$WORK/cluster.key" \
    bench put --clients "$LOAD_CLIENTS" --duration-s "$LOAD_S" > /dev/null 2>&1 &
  local loader=$!
  sleep 1  # the load flowing before the kill
  ms=$("$PIFLEET_KV_CLIENT" --endpoints "$(endpoints "${survivors[@]}")" \
    --key-file "$WORK/cluster.key" failover "${PIDS[$leader]}") ||
    fail "pifleet failover: no put acknowledged after the kill"
  wait "$loader" 2> /dev/null || fail "pifleet failover: the load acknowledged no put"
  wait "${PIDS[$leader]}" 2> /dev/null || true
  unset "PIDS[$leader]"
  ROUND_MS=${ms#failover_ms }
  start_agent "$leader"
  target=$(field "${survivors[0]}" applied_slot)
  caught_up() { [ "$(field "$leader" applied_slot)" -ge "$target" ] 2> /dev/null; }
  wait_until 60 caught_up || fail "pifleet failover: node $leader did not catch up"
}

etcd_failover_round() {
  local leader n survivors=() ms
  wait_until 30 etcd_healthy || fail "etcd failover: 3 healthy members expected"
  leader=$(etcd_leader) || fail "etcd failover: no leader"
  for n in 1 2 3; do [ "$n" = "$leader" ] || survivors+=("$(etcd_url "$n")"); done
  sleep 2
  wrk -t 1 -c "$LOAD_CLIENTS" -d "${LOAD_S}s" --timeout 10s \
    -s "$PIFLEET_ROOT/tests/bench/etcd_put.lua" "${survivors[0]}" -- "$KEY_BYTES" "$VALUE_BYTES" \
    > /dev/null 2>&1 &
  local loader=$!
  sleep 1
  ms=$(python3 "$PIFLEET_ROOT/tests/bench/etcd_failover.py" "${ETCD_PIDS[$leader]}" \
    "${survivors[@]}") || fail "etcd failover: no put acknowledged after the kill"
  wait "$loader" 2> /dev/null || fail "etcd failover: wrk failed"
  wait "${ETCD_PIDS[$leader]}" 2> /dev/null || true
  unset "ETCD_PIDS[$leader]"
  ROUND_MS=${ms#failover_ms }
  start_etcd "$leader"
}

median() { python3 -c 'import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:]), 1))' "$@"; }

mode_failover() {
  step "failover: kill -9 of the leader under load ($LOAD_CLIENTS clients) to the next acknowledged put, $ROUNDS rounds each"
  local round p=() e=()
  pifleet_up
  for round in $(seq 1 "$ROUNDS"); do
    pifleet_failover_round
    p+=("$ROUND_MS")
    echo "  pifleet round $round: ${p[-1]} ms" >&2
  done
  pifleet_down
  etcd_up
  for round in $(seq 1 "$ROUNDS"); do
    etcd_failover_round
    e+=("$ROUND_MS")
    echo "  etcd round $round: ${e[-1]} ms" >&2
  done
  etcd_down
  echo "failover pifleet ${p[*]}" >> "$WORK/loads.txt"
  echo "failover etcd ${e[*]}" >> "$WORK/loads.txt"
  row failover "kill -9 of the leader under load to the next put, median of $ROUNDS" ms \
    "$(median "${p[@]}")" "$(median "${e[@]}")" "pifleet<=300"
  row failover "the same, slowest of $ROUNDS" ms \
    "$(printf '%s\n' "${p[@]}" | sort -n | tail -n 1)" "$(printf '%s\n' "${e[@]}" | sort -n | tail -n 1)" -
}

# pifleet-idle-floor's 3 processes while idle_floor_up runs them (idle_figures' third system).
FLOOR_PIDS=()
floor_pids() { echo "${FLOOR_PIDS[*]}"; }

# idle_figures SECONDS: the busiest process's CPU (% of a core) and the largest RSS (MiB) of each
# system running, sampled over SECONDS: "pifleet_cpu pifleet_rss etcd_cpu etcd_rss floor_cpu
# floor_rss" ("- -" for a system not running).
idle_figures() {
  local pid systems=()
  [ ${#PIDS[@]} -gt 0 ] && systems+=(pifleet)
  [ ${#ETCD_PIDS[@]} -gt 0 ] && systems+=(etcd)
  [ ${#FLOOR_PIDS[@]} -gt 0 ] && systems+=(floor)
  declare -A before=()
  for system in "${systems[@]}"; do
    for pid in $("${system}_pids"); do before[$pid]=$(proc_cpu_ns "$pid"); done
  done
  sleep "$1"
  for system in "${systems[@]}"; do
    for pid in $("${system}_pids"); do
      echo "$system $(( $(proc_cpu_ns "$pid") - before[$pid] )) $(proc_rss_kib "$pid")"
    done
  done | python3 -c '
import sys
seconds = float(sys.argv[1])
cpu, rss = {}, {}
for line in sys.stdin:
    system, ns, kib = line.split()
    cpu.setdefault(system, []).append(100 * int(ns) / 1e9 / seconds)
    rss.setdefault(system, []).append(int(kib) / 1024)
print(*(f"{max(cpu[s]):.3f} {max(rss[s]):.1f}" if s in cpu else "- -"
        for s in ("pifleet", "etcd", "floor")))' "$1"
}

# idle_round SETTLE_S LABEL: after SETTLE_S, the figures of the clusters running now (idle_figures),
# kept in loads.txt under LABEL and printed.
idle_round() {
  local figures
  sleep "$1"
  figures=$(idle_figures "$IDLE_S")
  echo "idle $2 $figures" >> "$WORK/loads.txt"
  echo "$figures"
}

# idle_floor_up / idle_floor_down: pifleet-idle-floor's leader beating to 2 followers, nothing
# else: what the idle heartbeat's wakeups alone cost on this machine.
idle_floor_up() {
  local port=$((BASE_PORT + 200))
  "$PIFLEET_IDLE_FLOOR" follower $((port + 1)) & FLOOR_PIDS+=($!)
  "$PIFLEET_IDLE_FLOOR" follower $((port + 2)) & FLOOR_PIDS+=($!)
  "$PIFLEET_IDLE_FLOOR" leader "$port" 2 & FLOOR_PIDS+=($!)
}
idle_floor_down() {
  { kill "${FLOOR_PIDS[@]}"; wait "${FLOOR_PIDS[@]}"; } 2> /dev/null || true
  FLOOR_PIDS=()
}

# Both clusters at once with the release build; then the shipped build alone (build/shipped: the
# aarch64 preset's flags for this host, so what a Pi runs: -Os, LTO, libstdc++ and mbedTLS
# linked in), which the targets are for.
mode_idle() {
  step "idle: RSS and CPU of each member over $IDLE_S s without traffic, both clusters at once"
  local settle_s=$(( IDLE_S > 10 ? 5 : 1 ))  # past start-up and autopilot
  local p_cpu p_rss e_cpu e_rss s_cpu=- s_rss=-
  pifleet_up
  etcd_up
  read -r p_cpu p_rss e_cpu e_rss _ _ <<< "$(idle_round "$settle_s" release+etcd)"
  pifleet_down
  etcd_down
  if [ -x "$PIFLEET_SHIPPED" ]; then
    step "idle: the same for the shipped build ($PIFLEET_SHIPPED)"
    local PIFLEET=$PIFLEET_SHIPPED  # start_agent runs $PIFLEET
    pifleet_up
    read -r s_cpu s_rss _ _ _ _ <<< "$(idle_round "$settle_s" shipped)"
    pifleet_down
  else
    echo "  idle: no $PIFLEET_SHIPPED (cmake --preset shipped): its rows say not built" >&2
  fi
  local floor_cpu=-
  if [ -x "$PIFLEET_IDLE_FLOOR" ]; then
    step "idle: the baseline, pifleet-idle-floor (the idle heartbeat's wakeups only)"
    idle_floor_up
    read -r _ _ _ _ floor_cpu _ <<< "$(idle_round "$settle_s" floor)"
    idle_floor_down
  else
    echo "  idle: no $PIFLEET_IDLE_FLOOR: its row says not built" >&2
  fi
  [ "$s_cpu" != - ] || s_cpu="not built"
  [ "$s_rss" != - ] || s_rss="not built"
  [ "$floor_cpu" != - ] || floor_cpu="not built"
  row idle "CPU per member, busiest of 3, over $IDLE_S s (release build)" "% of a core" "$p_cpu" \
    "$e_cpu" -
  row idle "RSS per member, largest of 3 (release build)" MiB "$p_rss" "$e_rss" -
  row idle "CPU per member, busiest of 3, over $IDLE_S s (shipped build, as on a Pi)" \
    "% of a core" "$s_cpu" "$e_cpu" "pifleet<=0.2"
  row idle "RSS per member, largest of 3 (shipped build, as on a Pi)" MiB "$s_rss" "$e_rss" \
    "pifleet<=5"
  row idle "CPU, busiest of 3: shipped build; other: pifleet-idle-floor (an idle leader's beats to 2 followers, nothing else)" \
    "% of a core" "$s_cpu" "$floor_cpu" -
}

# watch_run SYSTEM WATCH_COMMAND...: starts the watch (its output stamped on arrival into
# $WORK/SYSTEM.events) and sets WATCHER to its pid (killing it ends the stamper too).
watch_run() {
  local system=$1; shift
  { "$@" 2>> "$WORK/bench-progress.log" & echo $! > "$WORK/watcher.pid"; wait; } |
    python3 "$BENCH_DIR/watch_latency.py" stamp > "$WORK/$system.events" &
  sleep 1  # the watch asking before the first put
  WATCHER=$(cat "$WORK/watcher.pid")
}
# us_ms LINE NAME: "gets N p50_us X ..." -> X in ms.
us_ms() { awk -v name="$2" '{for (i = 1; i < NF; i++) if ($i == name) printf "%.3f\n", $(i + 1) / 1000}' <<< "$1"; }

mode_watch() {
  step "watch: put acknowledged (through the leader) to event printed by a watch on a follower, $WATCH_PUTS puts 20 ms apart; $READS reads per consistency mode on a follower"
  local leader follower p e pr_log pr_local er_lin er_ser
  pifleet_up
  leader=$(leader_node 1 2 3) || die "pifleet: no leader"
  follower=$(( leader % 3 + 1 ))
  watch_run pifleet "$PIFLEET" --endpoints "$(addr "$follower")" --key-file "$WORK/cluster.key" \
    watch --prefix watch/
  "$PIFLEET_KV_CLIENT" --endpoints "$(addr "$leader")" --key-file "$WORK/cluster.key" \
    stamped "$WATCH_PUTS" > "$WORK/pifleet.acks" || die "pifleet: a put failed"
  sleep 1
  kill "$WATCHER" 2> /dev/null || true
  p=$(python3 "$BENCH_DIR/watch_latency.py" report "$WORK/pifleet.acks" "$WORK/pifleet.events") ||
    die "pifleet: no watch event"
  pr_log=$("$PIFLEET_KV_CLIENT" --endpoints "$(addr "$follower")" --key-file "$WORK/cluster.key" \
    reads-log "$READS") || die "pifleet: a read failed"
  pr_local=$("$PIFLEET_KV_CLIENT" --endpoints "$(addr "$follower")" --key-file "$WORK/cluster.key" \
    reads-local "$READS") || die "pifleet: a local read failed"
  pifleet_down
  etcd_up
  leader=$(etcd_leader) || die "etcd: no leader"
  follower=$(( leader % 3 + 1 ))
  watch_run etcd env ETCDCTL_API=3 etcdctl --endpoints "$(etcd_url "$follower")" watch --prefix watch/
  python3 "$BENCH_DIR/watch_latency.py" etcd-puts "$(etcd_url "$leader")" "$WATCH_PUTS" \
    > "$WORK/etcd.acks" || die "etcd: a put failed"
  sleep 1
  kill "$WATCHER" 2> /dev/null || true
  e=$(python3 "$BENCH_DIR/watch_latency.py" report "$WORK/etcd.acks" "$WORK/etcd.events") ||
    die "etcd: no watch event"
  er_lin=$(python3 "$BENCH_DIR/watch_latency.py" etcd-reads "$(etcd_url "$follower")" "$READS" \
    linearizable) || die "etcd: a read failed"
  er_ser=$(python3 "$BENCH_DIR/watch_latency.py" etcd-reads "$(etcd_url "$follower")" "$READS" \
    serializable) || die "etcd: a serializable read failed"
  etcd_down
  printf 'watch pifleet %s\nwatch etcd %s\nreads pifleet log %s\nreads pifleet local %s\nreads etcd linearizable %s\nreads etcd serializable %s\n' \
    "$p" "$e" "$pr_log" "$pr_local" "$er_lin" "$er_ser" >> "$WORK/loads.txt"
  echo "  pifleet: $p; etcd: $e" >&2
  [ "$(awk '{print $NF}' <<< "$p")" = 0 ] || die "pifleet: a watch missed events: $p"
  row watch "put acknowledged to event printed on a follower, p50" ms \
    "$(awk '{print $4}' <<< "$p")" "$(awk '{print $4}' <<< "$e")" -
  row watch "the same, p99" ms "$(awk '{print $6}' <<< "$p")" "$(awk '{print $6}' <<< "$e")" -
  row watch "read on a follower through the log (etcd: linearizable), p50" ms \
    "$(us_ms "$pr_log" p50_us)" "$(us_ms "$er_lin" p50_us)" -
  row watch "the same, p99" ms "$(us_ms "$pr_log" p99_us)" "$(us_ms "$er_lin" p99_us)" -
  row watch "read on a follower from its own state (etcd: serializable), p50" ms \
    "$(us_ms "$pr_local" p50_us)" "$(us_ms "$er_ser" p50_us)" -
  row watch "the same, p99" ms "$(us_ms "$pr_local" p99_us)" "$(us_ms "$er_ser" p99_us)" -
}

mode_size() {
  step "size: pifleet for aarch64, stripped"
  local preset bin
  for preset in aarch64 aarch64-static; do
    bin=$PIFLEET_ROOT/build/$preset/pifleet
    if [ -x "$bin" ] && aarch64-linux-gnu-strip -o "$WORK/pifleet-$preset" "$bin" 2> /dev/null; then
      row size "pifleet $preset, stripped" bytes "$(stat -c %s "$WORK/pifleet-$preset")" - \
        "pifleet<=2000000"
    else
      row size "pifleet $preset, stripped" bytes "not built" - -
    fi
  done
}

# topic_lat ACKS EVENTS: per offset, the subscriber's line minus the publish's acknowledgement
# (both stamped on arrival by watch_latency.py stamp); prints "N P50_MS P99_MS MISSING".
topic_lat() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def stamped(path):
    out = {}
    for line in open(path):
        ns, _, text = line.partition(" ")
        out.setdefault(json.loads(text)["offset"], int(ns))
    return out
acks, events = stamped(sys.argv[1]), stamped(sys.argv[2])
lat = sorted((events[o] - t) / 1e6 for o, t in acks.items() if o in events)
if not lat:
    sys.exit(1)
print(len(lat), round(lat[len(lat) // 2], 3), round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 3),
      len(acks) - len(lat))
PY
}

mode_topics() {
  step "topics: $TOPIC_OBJECTS objects of 220 bytes published through the leader to a subscriber on a follower; a consumer group of 3 members (one per node) working them off; the follower's RSS per retained object"
  local leader follower pf lat rss_before rss_after t0 t1 n
  pifleet_up
  leader=$(leader_node 1 2 3) || die "pifleet: no leader"
  follower=$(( leader % 3 + 1 ))
  pf=("$PIFLEET" --key-file "$WORK/cluster.key")
  "${pf[@]}" --endpoints "$(addr "$leader")" topic create bench --retain-count 1000000 \
    --retain-bytes 134217728 > /dev/null || die "pifleet: topic create"
  python3 -c "import json
for i in range($TOPIC_OBJECTS): print(json.dumps({'i': i, 'pad': 'x' * 200}))" > "$WORK/objects"
  rss_before=$(proc_rss_kib "${PIDS[$follower]}")
  { "${pf[@]}" --endpoints "$(addr "$follower")" topic subscribe bench --json \
      --count "$TOPIC_OBJECTS" 2>> "$WORK/bench-progress.log" & echo $! > "$WORK/sub.pid"; wait; } |
    python3 "$BENCH_DIR/watch_latency.py" stamp > "$WORK/topic.events" &
  sleep 1
  "${pf[@]}" --endpoints "$(addr "$leader")" topic publish bench --type reading --json \
    --each-line "@$WORK/objects" | python3 "$BENCH_DIR/watch_latency.py" stamp > "$WORK/topic.acks" ||
    die "pifleet: a publish failed"
  wait_until 60 bash -c "! kill -0 $(cat "$WORK/sub.pid") 2> /dev/null" ||
    die "pifleet: the subscriber got $(wc -l < "$WORK/topic.events") of $TOPIC_OBJECTS"
  sleep 1
  rss_after=$(proc_rss_kib "${PIDS[$follower]}")
  lat=$(topic_lat "$WORK/topic.acks" "$WORK/topic.events") || die "pifleet: no object delivered"
  t0=$(date +%s%N)
  for n in 1 2 3; do
    "${pf[@]}" --endpoints "$(addr "$n")" topic subscribe bench --group g > /dev/null \
      2>> "$WORK/bench-progress.log" &
    echo $! >> "$WORK/members.pids"
  done
  acked() { "${pf[@]}" --endpoints "$(addr "$leader")" topic groups bench --json 2> /dev/null |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["acked"])' 2> /dev/null; }
  all_acked() { [ "$(acked)" = "$TOPIC_OBJECTS" ]; }
  wait_until 300 all_acked || die "pifleet: the group acknowledged $(acked) of $TOPIC_OBJECTS"
  t1=$(date +%s%N)
  kill $(cat "$WORK/members.pids") 2> /dev/null || true
  pifleet_down
  echo "topics pifleet latency $lat rss_kib $rss_before $rss_after group_ns $((t1 - t0))" >> "$WORK/loads.txt"
  echo "  pifleet: latency (n p50 p99 missing) $lat; RSS $rss_before -> $rss_after KiB; group $(( (t1 - t0) / 1000000 )) ms" >&2
  [ "$(awk '{print $4}' <<< "$lat")" = 0 ] || die "pifleet: the subscriber missed objects: $lat"
  row topics "publish acknowledged to object printed by a subscriber on a follower, p50" ms \
    "$(awk '{print $2}' <<< "$lat")" - -
  row topics "the same, p99" ms "$(awk '{print $3}' <<< "$lat")" - -
  row topics "consumer group of 3 members (one per node, batches of 8), objects acknowledged" \
    "1/s" "$(( TOPIC_OBJECTS * 1000000000 / (t1 - t0) ))" - -
  row topics "follower RSS growth per retained object (220 bytes of JSON)" bytes \
    "$(( (rss_after - rss_before) * 1024 / TOPIC_OBJECTS ))" - -
}
