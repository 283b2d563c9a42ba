#!/usr/bin/env bash
# Runtime settings on real agents (`pifleet config`, docs/configuration.md): a setting reaches
# every node within a second and is applied there (its log says so), survives a restart, tunes
# what it names (voters: the autopilot shrinks and grows the voter set), and a bad key or value
# is refused with exit 2 naming the key and the range; kv commands cannot write the settings.
source "$(dirname "$0")/lib.sh"

start_three_voters
all=$(endpoints 1 2 3)

setting_on() {  # setting_on NODE KEY: "value source" as node NODE has it
  cli --endpoints "$(addr "$1")" config get "$2" --json |
    python3 -c "import json,sys; o=json.loads(sys.stdin.readline()); print(o['value'], o['source'])"
}
all_have() {  # all_have KEY "value source"
  local n; for n in 1 2 3; do [ "$(setting_on "$n" "$1")" = "$2" ] || return 1; done
}

[ "$(setting_on 2 log_level)" = "info node" ] || fail "log_level before: $(setting_on 2 log_level)"
start_ms=$(date +%s%3N)
cli --endpoints "$all" config set log_level debug --json | grep -q '"revision":' ||
  fail "config set --json printed no revision"
wait_until 5 all_have log_level "debug cluster" || fail "log_level did not reach every node"
echo "config set log_level debug: on every node in $(( $(date +%s%3N) - start_ms )) ms"
for n in 1 2 3; do
  grep -q "runtime setting in effect setting=log_level value=debug" "$WORK/n$n.log" ||
    fail "node $n did not log the new level in effect"
done

# Refusals, before anything is sent (exit 2) or by the agent (exit 1).
rc=0; out=$(cli --endpoints "$all" config set voters 4 2>&1) || rc=$?
[ "$rc" = 2 ] && grep -q "voters must be 1, 3, 5 or 7" <<<"$out" || fail "voters 4: rc $rc, $out"
rc=0; out=$(cli --endpoints "$all" config set listen 0.0.0.0:1 2>&1) || rc=$?
[ "$rc" = 2 ] && grep -q "no runtime setting 'listen'" <<<"$out" || fail "listen: rc $rc, $out"
rc=0; out=$(cli --endpoints "$all" config get nope 2>&1) || rc=$?
[ "$rc" = 2 ] || fail "config get of no setting exited $rc"
rc=0; out=$(cli --endpoints "$all" kv put pifleet/config/voters 1 2>&1) || rc=$?
[ "$rc" = 1 ] && grep -q "pifleet config set" <<<"$out" || fail "kv put of a setting: rc $rc, $out"
rc=0; out=$(cli --endpoints "$all" kv del --prefix pifleet/ 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "kv del --prefix over the settings exited $rc"
echo "refused: voters 4 and an unknown key (exit 2), kv writes under pifleet/config/ (exit 1)"

# voters tunes the autopilot, both ways.
cli --endpoints "$all" config set voters 1 > /dev/null || fail "config set voters 1"
wait_until 20 is_voter_count 1 1 || fail "the autopilot did not go down to 1 voter"
cli --endpoints "$all" kv put after/shrink 1 > /dev/null || fail "no commit with 1 voter"
cli --endpoints "$all" config set voters 3 > /dev/null || fail "config set voters 3"
wait_until 30 is_voter_count 1 3 || fail "the autopilot did not go back to 3 voters"
echo "voters 1 then 3: the voter set followed"

# A restart keeps the setting (the log and the snapshot hold it).
stop_agent 2 || fail "node 2 did not stop cleanly"
: > "$WORK/n2.log"
start_agent 2
wait_until 20 all_have log_level "debug cluster" || fail "node 2 lost log_level over a restart"
grep -q "setting=log_level value=debug" "$WORK/n2.log" || fail "node 2 did not apply it at start"

cli --endpoints "$all" config unset log_level > /dev/null || fail "config unset"
wait_until 5 all_have log_level "info node" || fail "unset did not give nodes back their own"
cli --endpoints "$all" config list | grep -Eq "^voters +3 +cluster" ||
  fail "config list: $(cli --endpoints "$all" config list)"
[ "$(cli --endpoints "$all" config list --json | wc -l)" = 4 ] || fail "config list --json rows"
echo "restart kept it; unset gave every node its own value back"
check_logs_clean
echo "PASS"
