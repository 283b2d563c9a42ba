#!/usr/bin/env bash
# Agents in network namespaces (one each, on a bridge). One client per node puts, reads (half
# of them lease reads) and compare-and-swaps (`kv txn`, through the log) three shared keys via its own node and records its
# history. Then the leader's link is cut (with 5 nodes, one follower's too): the majority side
# keeps committing, the minority side commits nothing (no client of it gets an answer, its applied
# slot stays), and after the links heal it catches up. Then the leader is killed with SIGKILL and
# started again. Every history must be linearizable (pifleet-lincheck). Skipped where network
# namespaces cannot be created.
#   --slow   5 nodes and longer phases
#   --lossy  every link also drops 20 % of datagrams and delays them 50 ms (tc netem) from the
#            start; skipped where the kernel has no netem
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netns_lib.sh"
LINCHECK=${PIFLEET_LINCHECK:?set PIFLEET_LINCHECK to the pifleet-lincheck binary}

count=3 phase_s=8 lossy=0
for arg in "$@"; do
  case "$arg" in
    --slow) count=5 phase_s=20 ;;
    --lossy) lossy=1 ;;
    *) echo "usage: $0 [--slow] [--lossy]" >&2; exit 2 ;;
  esac
done
nodes=($(seq 1 "$count"))
netns_setup "${nodes[@]}"
[ "$lossy" = 1 ] && lossy_links "${nodes[@]}"

start_agent 1 --seed --voters "$count"
wait_until 30 has_leader 1 || fail "the seed did not come up"
for n in "${nodes[@]:1}"; do start_agent "$n" --join "$(addr 1)"; done
wait_until 120 is_voter_count 1 "$count" || fail "autopilot did not make $count voters"
echo "$count voters in $count namespaces$([ "$lossy" = 1 ] && echo ", 20 % loss and 50 ms delay on every link")"

now_us() { echo "${EPOCHREALTIME/./}"; }

# history_client C: client C, inside node C's namespace and through node C only, puts, gets and
# compare-and-swaps keys x0..x2 until $WORK/stop-history exists. A cas is `kv txn --if 'K value =
# E' --then 'put K V'` (or `K version = 0` for an absent key) with E the last value the client saw.
# One line per operation in $WORK/history.C (docs/linearizability.md): a CLI timeout (exit 3) is a
# pending operation.
history_client() {
  local c=$1 i=0 key kind value expected ok call ret out rc cond
  local -A seen=()
  while [ ! -e "$WORK/stop-history" ]; do
    i=$((i + 1))
    key=x$((RANDOM % 3))
    kind=get value="" expected="" ok=true
    case $((RANDOM % 4)) in
      0 | 1) kind=put value="c$c-$i" ;;
      2) kind=cas value="c$c-$i" expected=${seen[$key]:-} ;;
    esac
    call=$(now_us)
    rc=0
    case "$kind" in
      put)
        out=$(CLI_NODE=$c TIMEOUT_MS=2000 cli --endpoints "$(addr "$c")" kv put "$key" "$value" \
          2> /dev/null) || rc=$?
        out="" ;;
      get)  # half of them lease reads: answered by the leader under its lease, or the log
        out=$(CLI_NODE=$c TIMEOUT_MS=2000 cli --endpoints "$(addr "$c")" kv get "$key" \
          --consistency "$( ((RANDOM % 2)) && echo lease || echo log)" 2> /dev/null) || rc=$?
        [ "$rc" = 4 ] && rc=0 out="" ;;  # no such key: read as the empty value, as the checker models it
      cas)
        cond="$key value = $expected"
        [ -z "$expected" ] && cond="$key version = 0"
        out=$(CLI_NODE=$c TIMEOUT_MS=2000 cli --endpoints "$(addr "$c")" kv txn --if "$cond" \
          --then "put $key $value" 2> /dev/null) || rc=$?
        # exit 1 with FAILURE first: the compare did not hold (any other exit 1 is an error)
        [ "$rc" = 1 ] && [ "${out%%$'\n'*}" = FAILURE ] && rc=0 ok=false
        out="" ;;
    esac
    ret=$(now_us)
    if [ "$rc" = 0 ] && [ "$ok" = true ]; then
      case "$kind" in get) seen[$key]=$out ;; *) seen[$key]=$value ;; esac
    fi
    case "$rc" in
      0) printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$call" "$ret" "$kind" "$key" "$value" "$expected" "$ok" "$out" ;;
      3) printf '%s\t%s\tpending\t%s\t%s\t%s\t%s\tfalse\t\n' "$c" "$call" "$kind" "$key" "$value" "$expected" ;;
      *) echo "client $c: exit code $rc" >> "$WORK/client-errors"; return 1 ;;
    esac >> "$WORK/history.$c"
  done
}
# completed C SINCE_US: operations of client C called at or after SINCE_US that were answered.
completed() {
  awk -F'\t' -v since="$2" '$2 >= since && $3 != "pending"' "$WORK/history.$1" 2> /dev/null | wc -l
}

client_pids=()
for c in "${nodes[@]}"; do
  history_client "$c" &
  client_pids+=($!)
done
progress_since() {  # progress_since SINCE_US N NODES...: each node's client completed >= N ops
  local since=$1 min=$2 n; shift 2
  for n in "$@"; do [ "$(completed "$n" "$since")" -ge "$min" ] || return 1; done
}
t0=$(now_us)
wait_until 60 progress_since "$t0" 3 "${nodes[@]}" || fail "clients made no progress before the cut"

leader=$(leader_node "${nodes[@]}") || fail "no leader"
minority=("$leader")
if [ "$count" = 5 ]; then
  for n in "${nodes[@]}"; do [ "$n" != "$leader" ] && { minority+=("$n"); break; }; done
fi
majority=()
for n in "${nodes[@]}"; do [[ " ${minority[*]} " == *" $n "* ]] || majority+=("$n"); done
echo "cutting the links of node(s) ${minority[*]} (the leader is node $leader)"
for n in "${minority[@]}"; do cut_link "$n"; done
t_cut=$(now_us)
sleep 1
declare -A frozen=()
for n in "${minority[@]}"; do frozen[$n]=$(field "$n" applied_slot); done
majority_slot=$(field "${majority[0]}" applied_slot)
sleep "$phase_s"
t_end=$(now_us)

for n in "${minority[@]}"; do
  got=$(field "$n" applied_slot)
  [ "$got" = "${frozen[$n]}" ] || fail "minority node $n applied slot ${frozen[$n]} -> $got while cut off"
  # From half a second after the cut: a leader lease held then lets the old leader answer lease
  # reads for at most another 100 ms, and those answers are still linearizable.
  answered=$(awk -F'\t' -v since="$((t_cut + 500000))" -v until="$t_end" \
    '$2 >= since && $2 < until && $3 != "pending" && $3 < until' "$WORK/history.$n" | wc -l)
  [ "$answered" = 0 ] || fail "client of minority node $n got $answered answers while cut off"
done
progress_since "$t_cut" 3 "${majority[@]}" || fail "the majority did not keep committing"
now_slot=$(field "${majority[0]}" applied_slot)
[ "$now_slot" -gt "$majority_slot" ] || fail "majority applied slot stuck at $majority_slot"
echo "partitioned ${phase_s} s: majority ${majority[*]} went from slot $majority_slot to $now_slot;" \
  "minority ${minority[*]} stayed and answered nothing"

for n in "${minority[@]}"; do heal_link "$n"; done
t_heal=$(now_us)
healed() {
  local n
  for n in "${minority[@]}"; do [ "$(field "$n" applied_slot)" -ge "$now_slot" ] || return 1; done
}
wait_until 60 healed || fail "the minority did not catch up after the links healed"
wait_until 60 progress_since "$t_heal" 2 "${nodes[@]}" || fail "not every client made progress after healing"
echo "links healed: minority caught up past slot $now_slot; every client progressing"

wait_until 30 leader_node "${nodes[@]}" > /dev/null || fail "no leader after healing"
victim=$(leader_node "${nodes[@]}")
others=()
for n in "${nodes[@]}"; do [ "$n" != "$victim" ] && others+=("$n"); done
kill_agent "$victim"
t_kill=$(now_us)
wait_until 60 progress_since "$t_kill" 3 "${others[@]}" || fail "no progress after the leader was killed"
start_agent "$victim"
t_back=$(now_us)
wait_until 60 progress_since "$t_back" 2 "${nodes[@]}" || fail "not every client made progress after the restart"
echo "leader node $victim killed with SIGKILL and started again; every client progressing"

touch "$WORK/stop-history"
wait "${client_pids[@]}" || fail "a client failed: $(cat "$WORK/client-errors" 2> /dev/null)"
cat "$WORK"/history.* > "$WORK/history.tsv"
ops=$(wc -l < "$WORK/history.tsv")
pending=$(awk -F'\t' '$3 == "pending"' "$WORK/history.tsv" | wc -l)
"$LINCHECK" "$WORK/history.tsv" || { cp "$WORK/history.tsv" /tmp/pifleet-partition-history.tsv;
  fail "history not linearizable (kept in /tmp/pifleet-partition-history.tsv)"; }
check_logs_clean
echo "partition_test: $ops operations ($pending pending) from $count clients, linearizable"
