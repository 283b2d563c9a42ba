#!/usr/bin/env bash
# Leases and locks on real agents: keys attached to a lease go when it is revoked; 8 processes
# contend with `pifleet lock L -- sh -c 'append; sleep; append'` and never interleave, in token
# order; a holder killed with SIGKILL frees the lock within its TTL plus a stated bound
# (BOUND_MS: the leader's 200 ms check, a commit, and the waiter's CLI noticing, under ASan).
source "$(dirname "$0")/lib.sh"
TTL_S=3
BOUND_MS=${BOUND_MS:-2500}

start_three_voters
all=$(endpoints 1 2 3)

lease=$(cli --endpoints "$all" lease grant 30) || fail "lease grant failed"
cli --endpoints "$all" kv put leased/a 1 --lease "$lease" > /dev/null || fail "put --lease failed"
cli --endpoints "$all" kv put leased/b 2 --lease "$lease" > /dev/null || fail "put --lease failed"
rc=0; cli --endpoints "$all" kv put leased/c 3 --lease 999999 > /dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a put with an unknown lease exited $rc, not 1"
cli --endpoints "$all" lease list | grep -Eq "^$lease +30 +2 " || fail "lease list: $(cli --endpoints "$all" lease list)"
cli --endpoints "$all" lease revoke "$lease" --json | grep -q '"deleted":2' || fail "revoke did not delete 2 keys"
rc=0; cli --endpoints "$all" kv get leased/a > /dev/null 2>&1 || rc=$?
[ "$rc" = 4 ] || fail "a key of a revoked lease is still there"
echo "lease: 2 keys attached, both gone with the revoke"

: > "$WORK/log"
pids=()
for i in $(seq 1 8); do
  TIMEOUT_MS=20000 cli --endpoints "$all" lock L --ttl "$TTL_S" -- sh -c \
    "echo \"start $i \$PIFLEET_LOCK_TOKEN\" >> '$WORK/log'; sleep 0.2; echo \"end $i\" >> '$WORK/log'; exit $i" &
  pids+=($!)
done
for i in $(seq 1 8); do
  rc=0; wait "${pids[$((i - 1))]}" || rc=$?
  [ "$rc" = "$i" ] || fail "lock holder $i exited $rc, not its command's $i"
done
python3 - "$WORK/log" << 'PY'
import sys
lines = [l.split() for l in open(sys.argv[1])]
if len(lines) != 16:
    sys.exit("FAIL: %d lines, want 16: %s" % (len(lines), lines))
tokens = []
for start, end in zip(lines[0::2], lines[1::2]):
    if start[0] != "start" or end[0] != "end" or start[1] != end[1]:
        sys.exit("FAIL: interleaved: %s then %s" % (start, end))
    tokens.append(int(start[2]))
if tokens != sorted(tokens) or len(set(tokens)) != 8:
    sys.exit("FAIL: fencing tokens not rising: %s" % tokens)
print("8 holders, never interleaved, tokens rising: %s" % tokens)
PY

# A holder killed with SIGKILL: the next waiter gets the lock within TTL + BOUND_MS.
# The command writes its own pid and its parent's: the `pifleet lock` process itself.
cli --endpoints "$all" lock K --ttl "$TTL_S" -- sh -c "echo \$PPID > '$WORK/holder-cli'; echo \$\$ > '$WORK/holder'; sleep 60" &
wait_until 15 test -s "$WORK/holder" || fail "the first holder never ran"
holder=$(cat "$WORK/holder-cli")
grep -q lock "/proc/$holder/cmdline" || fail "pid $holder is not the pifleet lock process"
TIMEOUT_MS=30000 cli --endpoints "$all" lock K --ttl "$TTL_S" -- sh -c "date +%s%N > '$WORK/next'" &
waiter=$!
sleep 1
killed=$(date +%s%N)
kill -9 "$holder"
kill "$(cat "$WORK/holder")" 2> /dev/null || true  # its command, orphaned
[ ! -s "$WORK/next" ] || fail "the waiter held the lock while the holder was alive"
wait "$waiter" || fail "the waiter failed"
freed_ms=$(( ($(cat "$WORK/next") - killed) / 1000000 ))
echo "SIGKILLed holder: the waiter ran ${freed_ms} ms after the kill (TTL ${TTL_S} s, bound ${BOUND_MS} ms)"
[ "$freed_ms" -le $((TTL_S * 1000 + BOUND_MS)) ] || fail "the lock was freed only after ${freed_ms} ms"
# Never early: the holder's lease had a whole TTL left at most a keepalive period before the kill.
[ "$freed_ms" -ge $((TTL_S * 1000 * 2 / 3 - 100)) ] || fail "the lock was freed ${freed_ms} ms after the kill: before the TTL ran out"
echo "PASS"
