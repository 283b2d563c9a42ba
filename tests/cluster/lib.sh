# Helpers for the real-process cluster tests: agents on 127.0.0.1, each with its own data dir,
# all stopped when the test exits. Sourced by the *_test.sh scripts.
set -euo pipefail
PIFLEET=${PIFLEET:?set PIFLEET to the pifleet binary}
# PIFLEET_WORK_PARENT: where data dirs go (tests/bench puts them on a real disk, not tmpfs).
WORK=$(mktemp -d "${PIFLEET_WORK_PARENT:-/tmp}/pifleet-cluster.XXXXXX")
BASE_PORT=${BASE_PORT:-$((20000 + RANDOM % 20000))}
declare -A PIDS=()

cleanup() {
  local status=$?
  touch "$WORK/stop-writers" "$WORK/stop-history"  # background clients end their loops
  {  # stderr off: no "Killed" job notices
    for node in "${!PIDS[@]}"; do kill -9 "${PIDS[$node]}" || true; done
    kill_background_jobs
    wait || true
  } 2> /dev/null
  if [ "$status" -ne 0 ]; then
    echo "--- agent logs (test failed) ---"
    for log in "$WORK"/*.log; do [ -f "$log" ] && { echo "== $log"; tail -n 30 "$log"; }; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Kills every background job still running and the command each runs now: a client loop of a
# test that failed before stopping it (its own stop file or a 15 s request) would otherwise
# hold the bare `wait` above until ctest's timeout.
kill_background_jobs() {
  local job children
  for job in $(jobs -p); do
    children=$(pgrep -P "$job" 2> /dev/null || true)
    kill "$job" $children 2> /dev/null || true
  done
}

fail() { echo "FAIL: $*"; exit 1; }
# Debian's python3 when present: a pyenv shim first in PATH costs about 2 s per start.
if [ -x /usr/bin/python3 ]; then python3() { /usr/bin/python3 "$@"; }; fi
port() { echo $((BASE_PORT + $1)); }
# host_of N: node N's IP; LOOPBACK='[::1]' puts every node on IPv6 loopback. netns_lib.sh gives
# each node its own address.
host_of() { echo "${LOOPBACK:-127.0.0.1}"; }
addr() { echo "$(host_of "$1"):$(port "$1")"; }
# wrap_for N: sets WRAP to the words that run a command where node N's network is (N empty:
# where clients run). None on plain loopback; netns_lib.sh puts `ip netns exec NS` there. An
# array, not a function, so that "${WRAP[@]}" CMD & leaves $! the command's own pid.
wrap_for() { WRAP=(); }

"$PIFLEET" keygen --out "$WORK/cluster.key"

# key_id FILE: a key file's one-byte id (the first byte of the key's SHA-256, as the agent says it).
key_id() {
  python3 -c 'import base64, hashlib, sys
print("%02x" % hashlib.sha256(base64.b64decode(open(sys.argv[1]).read().strip())).digest()[0])' "$1"
}
# keygen_distinct OUT FILE...: a new key whose id differs from every FILE's. Ids are one byte,
# so a fresh key has the cluster key's id once in 256 draws, and an install of it is refused.
keygen_distinct() {
  local out=$1 taken="" file; shift
  for file in "$@"; do taken+=" $(key_id "$file")"; done
  while :; do
    "$PIFLEET" keygen --out "$out"
    case " $taken " in *" $(key_id "$out") "*) rm -f "$out" ;; *) return 0 ;; esac
  done
}

# start_agent N [extra flags...]: node N listens on BASE_PORT+N with data dir $WORK/nN; its
# /metrics listener is off unless METRICS_LISTEN=HOST:PORT is set for the call.
start_agent() {
  local n=$1; shift
  wrap_for "$n"
  "${WRAP[@]}" "$PIFLEET" agent --data-dir "$WORK/n$n" --listen "$(addr "$n")" \
    --key-file "$WORK/cluster.key" --name "n$n" --metrics-listen "${METRICS_LISTEN:-}" "$@" \
    >> "$WORK/n$n.log" 2>&1 &
  PIDS[$n]=$!
}

kill_agent() { kill -9 "${PIDS[$1]}" 2>/dev/null || true; wait "${PIDS[$1]}" 2>/dev/null || true; unset "PIDS[$1]"; }
# stop_agent N: SIGTERM; returns the agent's exit code.
stop_agent() {
  local rc=0
  kill -TERM "${PIDS[$1]}"
  wait "${PIDS[$1]}" || rc=$?
  unset "PIDS[$1]"
  return "$rc"
}

endpoints() {
  local list="" n
  for n in "$@"; do list+="${list:+,}$(addr "$n")"; done
  echo "$list"
}

# cli ARGS...: a client command; CLI_NODE=N runs it from node N's network.
cli() {
  wrap_for "${CLI_NODE:-}"
  "${WRAP[@]}" "$PIFLEET" --key-file "$WORK/cluster.key" \
    --timeout-ms "${TIMEOUT_MS:-5000}" "$@"
}

# field NODE KEY: one field of `status --json` of node NODE.
field() {
  CLI_NODE=$1 cli --endpoints "$(addr "$1")" status --json 2>/dev/null |
    python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['$2'])" 2>/dev/null
}

# wait_until SECONDS CMD...: polls CMD every 200 ms.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

leader_of() {  # prints the leader id as node N sees it
  field "$1" leader_id
}

node_id() { field "$1" node_id; }
# has_leader N: node N names a leader (polled with wait_until).
has_leader() { local id; id=$(leader_of "$1") && [ -n "$id" ] && [ "$id" != 0 ]; }
is_voter_count() { [ "$(CLI_NODE=$1 cli --endpoints "$(addr "$1")" status --json | python3 -c "import json,sys; print(len(json.loads(sys.stdin.readline())['voters']))")" = "$2" ]; }

# node_number ID N...: which of the nodes N... has node id ID.
# start_three_voters: node 1 seeds, nodes 2 and 3 join through it, and the autopilot makes all
# three voters (the start of most tests).
start_three_voters() {
  start_agent 1 --seed --voters 3
  wait_until 20 has_leader 1 || fail "the seed did not come up"
  start_agent 2 --join "$(addr 1)"
  start_agent 3 --join "$(addr 1)"
  wait_until 30 is_voter_count 1 3 || fail "autopilot did not make 3 voters"
}

node_number() {
  local id=$1 n; shift
  for n in "$@"; do [ "$(node_id "$n")" = "$id" ] && { echo "$n"; return 0; }; done
  return 1
}

# leader_node N...: the node number of the leader, as the first of N... that names one sees it.
leader_node() {
  local n leader
  for n in "$@"; do
    leader=$(leader_of "$n") || continue
    [ -n "$leader" ] && [ "$leader" != 0 ] && { node_number "$leader" "$@"; return; }
  done
  return 1
}

# Background writers. Client C puts keys cC-1, cC-2, ... through the endpoints listed in
# $WORK/endpoints (re-read before every write, so a test can change them) until stop_writers.
# Each acknowledged write is appended to $WORK/acks.C as "KEY VALUE"; only those are promised.
WRITER_PIDS=()
start_writers() {
  local c
  rm -f "$WORK/stop-writers"
  for c in "$@"; do
    (
      i=0
      while [ ! -e "$WORK/stop-writers" ]; do
        i=$((i + 1))
        if TIMEOUT_MS=3000 cli --endpoints "$(cat "$WORK/endpoints")" kv put "c$c-$i" "v$c-$i" \
            > /dev/null 2>&1; then
          echo "c$c-$i v$c-$i" >> "$WORK/acks.$c"
        fi
      done
    ) &
    WRITER_PIDS+=($!)
  done
}
stop_writers() {
  touch "$WORK/stop-writers"
  wait "${WRITER_PIDS[@]}" 2>/dev/null || true
  WRITER_PIDS=()
}
acked_count() { cat "$WORK"/acks.* 2>/dev/null | wc -l; }

# wait_acks N SECONDS: waits until N more writes than now are acknowledged.
wait_acks() {
  local target=$(( $(acked_count) + $1 ))
  acks_reached() { [ "$(acked_count)" -ge "$target" ]; }
  wait_until "$2" acks_reached
}

# check_ledger ENDPOINTS: reads every acknowledged key back through the log (linearizable
# reads, one client process: pifleet-kv-client) and fails on any value that differs.
check_ledger() {
  local kv_client=${PIFLEET_KV_CLIENT:?set PIFLEET_KV_CLIENT to the pifleet-kv-client binary}
  cat "$WORK"/acks.* > "$WORK/ledger" 2> /dev/null || true
  "$kv_client" --endpoints "$1" --key-file "$WORK/cluster.key" check "$WORK/ledger" ||
    fail "an acknowledged write is missing or wrong"
}

# check_logs_clean: no sanitizer report and no failed assertion in any agent log.
check_logs_clean() {
  local found
  found=$(grep -l -E 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|assertion failed' \
    "$WORK"/*.log 2>/dev/null || true)
  [ -z "$found" ] || { grep -h -E -A5 'Sanitizer|runtime error:|assertion failed' $found | head -40; \
    fail "agent logs report errors: $found"; }
}
