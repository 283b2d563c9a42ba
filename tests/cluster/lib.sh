# Helpers for the real-process cluster tests: agents on 127.0.0.1, each with its own data dir,
# all stopped when the test exits. Sourced by the *_test.sh scripts.
set -euo pipefail
PIFLEET=${PIFLEET:?set PIFLEET to the pifleet binary}
WORK=$(mktemp -d /tmp/pifleet-cluster.XXXXXX)
BASE_PORT=${BASE_PORT:-$((20000 + RANDOM % 20000))}
declare -A PIDS=()

cleanup() {
  local status=$?
  for node in "${!PIDS[@]}"; do kill -9 "${PIDS[$node]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    echo "--- agent logs (test failed) ---"
    for log in "$WORK"/*.log; do [ -f "$log" ] && { echo "== $log"; tail -n 30 "$log"; }; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
port() { echo $((BASE_PORT + $1)); }
addr() { echo "127.0.0.1:$(port "$1")"; }

"$PIFLEET" keygen --out "$WORK/cluster.key"

# start_agent N [extra flags...]: node N listens on BASE_PORT+N with data dir $WORK/nN.
start_agent() {
  local n=$1; shift
  "$PIFLEET" agent --data-dir "$WORK/n$n" --listen "$(addr "$n")" --key-file "$WORK/cluster.key" \
    --name "n$n" --metrics-listen "" "$@" >> "$WORK/n$n.log" 2>&1 &
  PIDS[$n]=$!
}

kill_agent() { kill -9 "${PIDS[$1]}" 2>/dev/null || true; wait "${PIDS[$1]}" 2>/dev/null || true; unset "PIDS[$1]"; }

endpoints() {
  local list="" n
  for n in "$@"; do list+="${list:+,}$(addr "$n")"; done
  echo "$list"
}

cli() { "$PIFLEET" --key-file "$WORK/cluster.key" --timeout-ms "${TIMEOUT_MS:-5000}" "$@"; }

# field NODE KEY: one field of `status --json` of node NODE.
field() {
  cli --endpoints "$(addr "$1")" status --json 2>/dev/null |
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
is_voter_count() { [ "$(cli --endpoints "$(addr "$1")" status --json | python3 -c "import json,sys; print(len(json.loads(sys.stdin.readline())['voters']))")" = "$2" ]; }
