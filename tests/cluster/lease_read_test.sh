#!/usr/bin/env bash
# Lease reads on loopback (docs/consensus.md, "Lease reads"): `kv get --consistency lease`
# answered by the leader from its state (counted in its metrics), every read after an
# acknowledged put sees it, a follower declines and the CLI reads through the log, and after
# kill -9 of the leader the new leader serves lease reads that see every acknowledged write.
source "$(dirname "$0")/lib.sh"

start_three_voters
all=$(endpoints 1 2 3)
# lease_reads N OUTCOME: node N's count of lease reads served or declined.
lease_reads() {
  cli --endpoints "$(addr "$1")" metrics |
    awk -v o="$2" '$1 == "pifleet_lease_reads_total{outcome=\"" o "\"}" { print $2 + 0; f = 1 }
      END { if (!f) print 0 }'
}

leader=$(leader_node 1 2 3) || fail "no leader"
follower=1
[ "$leader" = 1 ] && follower=2
ordered=$(endpoints "$leader" 1 2 3)
echo "leader: node $leader; follower: node $follower"

# Every lease read right after an acknowledged put sees that put (read your writes, and reads
# after writes of other clients).
for i in $(seq 1 30); do
  cli --endpoints "$all" kv put k "v$i" > /dev/null || fail "put $i not acknowledged"
  got=$(cli --endpoints "$ordered" kv get k --consistency lease) || fail "lease read $i failed"
  [ "$got" = "v$i" ] || fail "lease read $i: '$got', acknowledged v$i"
done
served=$(lease_reads "$leader" served)
[ "$served" -ge 30 ] || fail "the leader served $served lease reads of 30 (the rest went through the log)"
echo "the leader served $served lease reads"

# --json and --prefix print what a log read prints.
lease_json=$(cli --endpoints "$ordered" kv get k --consistency lease --json)
log_json=$(cli --endpoints "$ordered" kv get k --json)
[ "$lease_json" = "$log_json" ] || fail "lease read printed $lease_json, a log read $log_json"
cli --endpoints "$all" kv put p/a 1 > /dev/null && cli --endpoints "$all" kv put p/b 2 > /dev/null
[ "$(cli --endpoints "$ordered" kv get --prefix p/ --consistency lease | tr '\n' ' ')" = "p/a 1 p/b 2 " ] ||
  fail "prefix lease read"
rc=0; cli --endpoints "$ordered" kv get missing --consistency lease 2> /dev/null || rc=$?
[ "$rc" = 4 ] || fail "a lease read of a missing key exits $rc, not 4"

# A follower declines; the CLI then reads through the log and still gets the newest value.
before=$(lease_reads "$follower" declined)
cli --endpoints "$all" kv put k via-follower > /dev/null || fail "put not acknowledged"
got=$(cli --endpoints "$(addr "$follower")" kv get k --consistency lease) || fail "read via follower"
[ "$got" = via-follower ] || fail "read via the follower: '$got'"
[ "$(lease_reads "$follower" declined)" -gt "$before" ] || fail "the follower did not decline"

# kill -9 of the leader: the survivors elect another, which serves lease reads again.
kill_agent "$leader"
survivors=()
for n in 1 2 3; do [ "$n" = "$leader" ] || survivors+=("$n"); done
TIMEOUT_MS=10000 cli --endpoints "$(endpoints "${survivors[@]}")" kv put k after-kill > /dev/null ||
  fail "no write acknowledged after the leader died"
got=$(cli --endpoints "$(endpoints "${survivors[@]}")" kv get k --consistency lease) ||
  fail "lease read after the kill failed"
[ "$got" = after-kill ] || fail "lease read after the kill: '$got'"
new_leader=$(leader_node "${survivors[@]}") || fail "no new leader"
[ "$(lease_reads "$new_leader" served)" -ge 1 ] || fail "the new leader served no lease read"
check_logs_clean
echo "lease_read_test: $served lease reads served by the leader, follower declined, new leader serves"
