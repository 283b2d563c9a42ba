#!/usr/bin/env bash
# The localhost /metrics listener of a real agent, fetched with curl: 200 with the Prometheus
# text (the apply time of a put between the times before it and after the fetch), 404 and 405
# elsewhere, 431 for an oversize head; a non-loopback metrics_listen is
# refused (exit 2) unless allowed; a port already taken leaves the agent running without it.
source "$(dirname "$0")/lib.sh"
command -v curl > /dev/null || { echo "SKIPPED: no curl"; exit 0; }

metrics=127.0.0.1:$(port 50)
"$PIFLEET" agent --data-dir "$WORK/n1" --listen "$(addr 1)" --key-file "$WORK/cluster.key" \
  --seed --metrics-listen "$metrics" >> "$WORK/n1.log" 2>&1 &
PIDS[1]=$!
wait_until 10 test -n "$(leader_of 1)" || fail "the agent did not come up"
before_us=$(( $(date +%s%N) / 1000 ))
cli --endpoints "$(addr 1)" kv put k v > /dev/null

body=$(curl -sS --fail "http://$metrics/metrics") || fail "GET /metrics failed"
after_us=$(( $(date +%s%N) / 1000 ))
# The put's slot, or a later one, was applied in between (wall clock, to the microsecond).
applied_us=$(awk '$1 == "pifleet_applied_slot_unix_microseconds" {print $2}' <<< "$body")
if [ "${applied_us:-0}" -lt "$before_us" ] || [ "$applied_us" -gt "$after_us" ]; then
  fail "applied at '$applied_us' us, not between $before_us and $after_us"
fi
grep -q '^pifleet_decision_sent_slot 0$' <<< "$body" || fail "a lone node sent a decision"
grep -q '^# TYPE pifleet_applied_slot gauge$' <<< "$body" || fail "no applied slot family: $body"
grep -q '^pifleet_is_leader 1$' <<< "$body" || fail "the seed is not reported leader"
grep -q '^pifleet_wire_dropped_total{reason="unknown_key"} ' <<< "$body" || fail "no drop counters"
grep -q '^pifleet_keyring_keys 1$' <<< "$body" || fail "no keyring size"
# Here-strings, not pipes: under pipefail a grep -q that stops reading early fails the writer.
second=$(curl -sS "http://$metrics/metrics")
grep -q '^pifleet_metrics_http_requests_total [1-9]' <<< "$second" ||
  fail "the listener does not count its requests"
type=$(curl -sS -o /dev/null -w '%{content_type}' "http://$metrics/metrics")
[ "$type" = "text/plain; version=0.0.4; charset=utf-8" ] || fail "content type '$type'"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$metrics/nope")" = 404 ] || fail "/nope is not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$metrics/metrics")" = 405 ] ||
  fail "POST is not 405"
big=$(head -c 5000 /dev/zero | tr '\0' a)
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "http://$metrics/metrics")" = 431 ] ||
  fail "an oversize head is not 431"
echo "GET /metrics: $(echo "$body" | grep -c '^pifleet_') samples; 404, 405 and 431 as they must"

set +e
out=$("$PIFLEET" agent --data-dir "$WORK/n2" --listen "$(addr 2)" --key-file "$WORK/cluster.key" \
  --seed --metrics-listen "0.0.0.0:$(port 51)" 2>&1)
code=$?
set -e
[ "$code" = 2 ] || fail "a non-loopback metrics_listen gave exit $code, want 2"
echo "$out" | grep -q metrics_allow_remote || fail "the refusal does not name the way out: $out"

"$PIFLEET" agent --data-dir "$WORK/n3" --listen "$(addr 3)" --key-file "$WORK/cluster.key" \
  --seed --metrics-listen "$metrics" >> "$WORK/n3.log" 2>&1 &
PIDS[3]=$!
wait_until 10 test -n "$(leader_of 3)" || fail "an agent whose metrics port is taken did not run"
grep -q "running without the /metrics listener" "$WORK/n3.log" || fail "no error about the port"
still=$(curl -sS --fail "http://$metrics/metrics") || fail "first listener gone"
grep -q '^pifleet_is_leader 1$' <<< "$still" || fail "the first listener does not serve its agent"
echo "metrics_http_test: ok"
