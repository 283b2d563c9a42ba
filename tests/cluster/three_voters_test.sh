#!/usr/bin/env bash
# Three voters on loopback: seed + two joins, autopilot promotes both, writes from several
# clients, kill -9 of the leader, writes resume, the old leader restarts and catches up, and no
# acknowledged write is lost (checked against the client-side ledger).
source "$(dirname "$0")/lib.sh"

start_three_voters
echo "three voters: $(cli --endpoints "$(addr 1)" status --json | head -c 300)"

all=$(endpoints 1 2 3)
declare -A ledger=()
write() {  # write KEY VALUE through any node; record it only if acknowledged
  if cli --endpoints "$all" kv put "$1" "$2" > /dev/null; then ledger[$1]=$2; fi
}
# Several clients at once; each records what was acknowledged to it.
writers=()
for c in 1 2 3 4; do
  ( for i in $(seq "$c" 4 20); do
      cli --endpoints "$all" kv put "k$i" "v$i" > /dev/null && echo "k$i v$i"
    done > "$WORK/acks.$c" ) &
  writers+=($!)
done
wait "${writers[@]}"
while read -r key value; do ledger[$key]=$value; done < <(cat "$WORK"/acks.*)
[ "${#ledger[@]}" -eq 20 ] || fail "only ${#ledger[@]} of 20 writes acknowledged with every node up"

leader=$(leader_of 1)
victim=""
for n in 1 2 3; do [ "$(node_id "$n")" = "$leader" ] && victim=$n; done
[ -n "$victim" ] || fail "no node is the leader $leader"
echo "killing the leader: node $victim ($leader)"
kill_agent "$victim"
survivors=()
for n in 1 2 3; do [ "$n" = "$victim" ] || survivors+=("$n"); done
start=$(date +%s%N)
TIMEOUT_MS=10000 cli --endpoints "$(endpoints "${survivors[@]}")" kv put after-failover yes > /dev/null \
  || fail "no write acknowledged after the leader died"
echo "first write after kill -9 acknowledged in $(( ($(date +%s%N) - start) / 1000000 )) ms"
ledger[after-failover]=yes
# The journal tells the story: each survivor logged losing the old leader (PREVIOUS), and the
# new one logged that it leads.
new_leader=$(leader_of "${survivors[0]}")
for n in "${survivors[@]}"; do
  grep -qE "^notice (leader changed|no leader known|leading) .*previous=$leader " "$WORK/n$n.log" ||
    fail "node $n's log has no notice of losing leader $leader: $(grep '^notice' "$WORK/n$n.log")"
  if [ "$(node_id "$n")" = "$new_leader" ]; then
    grep -q "^notice leading leader=$new_leader " "$WORK/n$n.log" ||
      fail "the new leader, node $n, did not log 'leading': $(grep '^notice' "$WORK/n$n.log")"
  fi
done
for i in $(seq 21 30); do
  cli --endpoints "$(endpoints "${survivors[@]}")" kv put "k$i" "v$i" > /dev/null && ledger[k$i]=v$i
done

echo "restarting node $victim"
start_agent "$victim"
for key in "${!ledger[@]}"; do
  got=$(cli --endpoints "$(endpoints "${survivors[@]}")" kv get "$key") || fail "read of $key failed"
  [ "$got" = "${ledger[$key]}" ] || fail "$key: read '$got', acknowledged '${ledger[$key]}'"
done
caught_up() {
  [ "$(field "$victim" applied_slot)" -ge "$(field "${survivors[0]}" applied_slot)" ] 2>/dev/null
}
wait_until 30 caught_up || fail "node $victim did not catch up"
got=$(cli --endpoints "$(addr "$victim")" kv get k25 --consistency local)
[ "$got" = "${ledger[k25]}" ] || fail "restarted node serves '$got' for k25"
echo "three_voters_test: ${#ledger[@]} acknowledged writes, none lost; old leader caught up"
