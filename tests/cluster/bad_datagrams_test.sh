#!/usr/bin/env bash
# Every kind of bad datagram, sent from a raw UDP socket to a real agent, moves exactly its own
# drop counter (status --json and `pifleet metrics` agree) and nothing else, and the agent keeps
# serving. The agent listens on IPv6 loopback: only there can a UDP payload exceed the 65507-byte
# bound (IPv4 cannot carry one), which is what "oversize" means for a receiving agent.
# Needs PIFLEET_BADGRAM (tests/cluster/bad_datagram.cc).
source "$(dirname "$0")/lib.sh"
BADGRAM=${PIFLEET_BADGRAM:?set PIFLEET_BADGRAM to the pifleet-badgram binary}

python3 -c "import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(('::1', 0))" \
  2> /dev/null || { echo "SKIPPED: no IPv6 loopback (::1) to bind"; exit 0; }
LOOPBACK='[::1]'

start_agent 1 --seed --voters 1
wait_until 20 has_leader 1 || fail "the agent did not come up"
agent_pid=${PIDS[1]}
cli --endpoints "$(addr 1)" kv put before bad-datagrams > /dev/null || fail "first write failed"

# dropped: every drop counter of the agent, one "reason count" line each, sorted.
dropped() {
  cli --endpoints "$(addr 1)" status --json |
    python3 -c "import json,sys; [print(k, v) for k, v in sorted(json.loads(sys.stdin.readline())['dropped'].items())]"
}

# expect_moved BEFORE AFTER REASON COUNT: REASON moved by COUNT, every other counter stayed.
expect_moved() {
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys
before = dict(line.split() for line in sys.argv[1].splitlines())
after = dict(line.split() for line in sys.argv[2].splitlines())
reason, count = sys.argv[3], int(sys.argv[4])
assert reason in before, f"no counter named {reason}: {sorted(before)}"
assert before.keys() == after.keys(), f"counter names changed: {sorted(before)} -> {sorted(after)}"
moved = {k: int(after[k]) - int(before[k]) for k in before if after[k] != before[k]}
if moved != {reason: count}:
    sys.exit(f"expected only {reason} +{count}, counters moved: {moved or 'none'}")
PY
}

# check KIND REASON COUNT [SECONDS]: sends KIND, waits until REASON moved by COUNT (the agent
# counts after the datagram arrives), then compares every counter and checks the agent serves.
checked=0
check() {
  local kind=$1 reason=$2 count=$3 before after
  before=$(dropped) || fail "status before $kind failed"
  "$BADGRAM" --key-file "$WORK/cluster.key" --to "$(addr 1)" "$kind" > /dev/null ||
    fail "pifleet-badgram $kind failed"
  moved_enough() {
    after=$(dropped) && expect_moved "$before" "$after" "$reason" "$count" 2> /dev/null
  }
  wait_until "${4:-5}" moved_enough || {
    after=$(dropped)
    expect_moved "$before" "$after" "$reason" "$count" || fail "$kind: wrong counters"
  }
  kill -0 "$agent_pid" 2> /dev/null || fail "the agent died after $kind"
  cli --endpoints "$(addr 1)" kv put "after-$kind" ok > /dev/null || fail "no write after $kind"
  echo "$kind: $reason +$count, nothing else moved; the agent still commits writes"
  checked=$((checked + 1))
}

check unknown_key unknown_key 1
check auth_failed auth_failed 1
check tampered auth_failed 1
check old_epoch old_epoch 1
check truncated truncated 1
check oversize oversize 1
check malformed malformed 1
check unknown_type unknown_type 1
check bad_magic bad_magic 1
check bad_version bad_version 1
check wrong_cluster wrong_cluster 1
check bad_fragment bad_fragment 1
# 33 first halves: the 33rd evicts one for space, the 32 others expire after 2 s.
check reassembly_evicted reassembly_evicted 33 10

# Replay: capture a datagram the real CLI sends, deliver it (the agent answers: it is valid),
# then deliver the very same bytes again.
before=$(dropped)
python3 - "$PIFLEET" "$WORK/cluster.key" "$(port 1)" <<'PY' || fail "replay capture failed"
import socket, subprocess, sys
pifleet, key, agent_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
proxy = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
proxy.bind(("::1", 0))
cli = subprocess.Popen([pifleet, "--key-file", key, "--timeout-ms", "300", "--endpoints",
                        f"[::1]:{proxy.getsockname()[1]}", "status"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
proxy.settimeout(10)
captured, _ = proxy.recvfrom(70000)
cli.wait()
proxy.sendto(captured, ("::1", agent_port))
proxy.recvfrom(70000)  # the agent's answer: the captured datagram is valid
proxy.sendto(captured, ("::1", agent_port))
proxy.settimeout(1)
try:
    proxy.recvfrom(70000)
    sys.exit("the agent answered a replayed datagram")
except socket.timeout:
    pass
PY
replay_moved() { after=$(dropped) && expect_moved "$before" "$after" replay 1 2> /dev/null; }
wait_until 5 replay_moved || { after=$(dropped); expect_moved "$before" "$after" replay 1 || fail "replay: wrong counters"; }
echo "replay: replay +1, nothing else moved"

# The same counters in Prometheus text.
metrics=$(cli --endpoints "$(addr 1)" metrics) || fail "pifleet metrics failed"
while read -r reason count; do
  grep -qx "pifleet_wire_dropped_total{reason=\"$reason\"} $count" <<< "$metrics" ||
    fail "metrics disagree with status for $reason ($count)"
done < <(dropped)
expected="auth_failed 2 bad_fragment 1 bad_magic 1 bad_version 1 malformed 1 old_epoch 1 out_of_bounds 0 oversize 1 reassembly_evicted 33 replay 1 session_refused 0 truncated 1 unknown_key 1 unknown_type 1 wrong_cluster 1"
[ "$(dropped | tr '\n' ' ' | sed 's/ $//')" = "$expected" ] ||
  fail "totals: $(dropped | tr '\n' ' ') expected $expected"
[ "$(cli --endpoints "$(addr 1)" kv get before)" = bad-datagrams ] || fail "state lost"
[ "$(cli --endpoints "$(addr 1)" kv get after-reassembly_evicted)" = ok ] || fail "write lost"
check_logs_clean
echo "bad_datagrams_test: $((checked + 1)) kinds, each moved only its own counter; metrics agree"
