#!/usr/bin/env bash
# Disk full on real agents (issue 5, DESIGN §5): each data dir is its own small tmpfs, filled
# up with a filler file. A follower whose disk is full stops voting (with the third node down
# the cluster has no quorum), keeps applying decisions and serving local reads, says so in
# status, metrics and log, and votes again by itself once the filler is gone. A leader whose
# disk is full keeps leading with the other voters' acks. No acknowledged write is lost.
source "$(dirname "$0")/lib.sh"
PIFLEET_KV_CLIENT=${PIFLEET_KV_CLIENT:?set PIFLEET_KV_CLIENT to pifleet-kv-client}

[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root to mount a tmpfs per data dir"; exit 0; }
MOUNTS=()
disk_cleanup() {
  local status=$?
  for node in "${!PIDS[@]}"; do kill -9 "${PIDS[$node]}" 2>/dev/null || true; done
  for node in "${!PIDS[@]}"; do wait "${PIDS[$node]}" 2>/dev/null || true; done
  for dir in "${MOUNTS[@]}"; do umount -l "$dir" 2>/dev/null || true; done
  (exit "$status")
  cleanup
}
trap disk_cleanup EXIT
for n in 1 2 3; do
  mkdir -p "$WORK/n$n"
  mount -t tmpfs -o size=16m,mode=0700 pifleet-test "$WORK/n$n" 2>/dev/null ||
    { echo "SKIPPED: cannot mount a tmpfs here (no CAP_SYS_ADMIN?)"; exit 0; }
  MOUNTS+=("$WORK/n$n")
done

fill() { dd if=/dev/zero of="$WORK/n$1/filler" bs=64k status=none 2>/dev/null || true; }
free_disk() { rm -f "$WORK/n$1/filler"; }
disk_full_is() { [ "$(field "$1" disk_full)" = "$2" ]; }
metric() {
  CLI_NODE=$1 cli --endpoints "$(addr "$1")" metrics 2>/dev/null | awk -v m="$2" '$1 == m {print $2}'
}

start_three_voters

all=$(endpoints 1 2 3)
declare -A ledger=()
put() {  # put KEY VALUE [ENDPOINTS]: records the write only if acknowledged
  if TIMEOUT_MS=${PUT_TIMEOUT_MS:-5000} cli --endpoints "${3:-$all}" kv put "$1" "$2" > /dev/null 2>&1; then
    ledger[$1]=$2
    return 0
  fi
  return 1
}
for i in $(seq 1 10); do put "k$i" "v$i" || fail "write k$i with every disk empty"; done

leader=$(leader_node 1 2 3) || fail "no leader"
followers=()
for n in 1 2 3; do [ "$n" = "$leader" ] || followers+=("$n"); done
full=${followers[0]} other=${followers[1]}

echo "filling node $full's disk (a follower)"
fill "$full"
for i in $(seq 11 30); do put "k$i" "v$i" "$(addr "$leader")" || fail "write k$i with one follower full"; done
wait_until 15 disk_full_is "$full" True || fail "node $full does not report its full disk"
[ "$(metric "$full" pifleet_disk_full)" = 1 ] || fail "pifleet_disk_full is not 1 on node $full"
grep -q "disk full: not voting" "$WORK/n$full.log" || fail "node $full did not log the full disk"
[ "$(field "$full" role)" = follower ] || fail "node $full is no longer a follower"
local_k30() { [ "$(cli --endpoints "$(addr "$full")" kv get k30 --consistency local)" = v30 ]; }
wait_until 15 local_k30 || fail "node $full does not apply decisions or serve local reads while full"
echo "node $full: disk full, still a follower, serves k30 locally"

echo "killing node $other: the leader and the full node alone have no quorum"
kill_agent "$other"
PUT_TIMEOUT_MS=2000 put blocked yes "$(addr "$leader")" &&
  fail "a write was acknowledged by the leader and a node that must not vote"
echo "write refused while node $full's disk is full: it does not vote"

echo "freeing node $full's disk"
free_disk "$full"
wait_until 15 disk_full_is "$full" False || fail "node $full did not resume by itself"
put after-free yes "$(addr "$leader")" || fail "no write with node $full voting again"
grep -q "disk has space again: voting resumed" "$WORK/n$full.log" || fail "no resume log line"
[ "$(metric "$full" pifleet_disk_full_events_total)" = 1 ] || fail "episode count is not 1"
echo "node $full votes again: write acknowledged by the leader and node $full"

start_agent "$other"
caught_up() { [ "$(field "$other" applied_slot)" -ge "$(field "$leader" applied_slot)" ] 2>/dev/null; }
wait_until 30 caught_up || fail "node $other did not catch up"

echo "filling the leader's disk (node $leader)"
fill "$leader"
# The WAL's last tmpfs page may still hold a few dozen records: write on until the leader hits
# the end of its disk (each write about 170 bytes, so 100 writes are four pages).
i=31
until disk_full_is "$leader" True; do
  [ "$i" -le 130 ] || fail "the leader does not report its full disk after 100 writes"
  put "k$i" "v$i" || fail "write k$i with the leader's disk full"
  i=$((i + 1))
done
now=$(leader_node 1 2 3) || fail "no leader while node $leader's disk is full"
echo "leader's disk full: node $now leads, writes go on"
free_disk "$leader"
wait_until 15 disk_full_is "$leader" False || fail "node $leader did not resume by itself"

for key in "${!ledger[@]}"; do echo "$key ${ledger[$key]}"; done > "$WORK/ledger"
for n in 1 2 3; do
  "$PIFLEET_KV_CLIENT" --endpoints "$(addr "$n")" --key-file "$WORK/cluster.key" check "$WORK/ledger" \
    || fail "an acknowledged write does not read back through node $n"
done
echo "disk_full_test: ${#ledger[@]} acknowledged writes, none lost; both nodes resumed by themselves"
