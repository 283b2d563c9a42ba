#!/usr/bin/env bash
# The LED language in a real cluster: agents on loopback, each with its own copy of a Pi 4
# fixture sysroot and LED class (tests/fixtures), watched through the brightness files against
# the table in docs/leds.md. Seed -> leader; a joiner -> follower; a learner; a joiner nobody
# answers -> searching; identify blinks exactly the named node and ends on time; a hot probe
# reading -> hot-throttled and the members table gets the temperature; the heartbeat LED
# toggles while a leader lives and freezes when it is killed; the follower left without a
# quorum shows no-quorum; SIGTERM gives the LEDs back.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURES="$HERE/../fixtures"

make_root() {  # a private Pi 4 sysroot with the Pi 4 LED class for node N
  local root="$WORK/root$1"
  cp -a "$FIXTURES/pi4b-cool" "$root"
  cp -a "$FIXTURES/sysfs-leds/sys/class/leds" "$root/sys/class/leds"
  echo "$root"
}
led_dir() { echo "$WORK/root$1/sys/class/leds/$2"; }
watch_pattern() { python3 "$HERE/led_watch.py" pattern "$(led_dir "$1" ACT)" "${2:-4.5}"; }
toggles() { python3 "$HERE/led_watch.py" toggles "$(led_dir "$1" PWR)" "$2"; }

# expect_pattern N PATTERN: node N's status LED shows PATTERN within three watches.
expect_pattern() {
  local got attempt
  for attempt in 1 2 3; do
    got=$(watch_pattern "$1")
    if [ "$got" = "$2" ]; then echo "node $1 shows $2"; return 0; fi
    echo "node $1: saw '$got', want $2 (status: $(field "$1" role), led $(field "$1" led))"
  done
  fail "node $1 does not show $2"
}
role_is() { [ "$(field "$1" role)" = "$2" ]; }

for n in 1 2 3 4; do make_root "$n" > /dev/null; done
start_agent 1 --seed --voters 3 --sysroot "$WORK/root1"
wait_until 10 role_is 1 leader || fail "the seed did not lead"
start_agent 2 --join "$(addr 1)" --sysroot "$WORK/root2"
start_agent 3 --join "$(addr 1)" --role learner --sysroot "$WORK/root3"
start_agent 4 --join "$(addr 9)" --sysroot "$WORK/root4"  # nobody listens there
wait_until 30 role_is 2 follower || fail "node 2 did not become a follower"
wait_until 30 role_is 3 learner || fail "node 3 did not become a learner"

# The four states at once, each watched over two cycles of its pattern.
watchers=()
for n in 1 2 3 4; do watch_pattern "$n" > "$WORK/seen.$n" & watchers+=($!); done
wait "${watchers[@]}"  # never a bare wait: the agents are background jobs too
for pair in 1:leader 2:follower 3:learner 4:searching; do
  n=${pair%%:*} want=${pair#*:}
  if [ "$(cat "$WORK/seen.$n")" = "$want" ]; then
    echo "node $n shows $want"
  else
    expect_pattern "$n" "$want"  # a role may still have been settling
  fi
done
kill_agent 4
grep -qx mmc0 "$(led_dir 1 ACT)/trigger" && fail "the agent left the status LED on its mmc0 trigger"

# The heartbeat LED follows the leader's heartbeats, on the leader and on the follower.
for n in 1 2; do
  count=$(toggles "$n" 1.5)
  [ "$count" -ge 5 ] || fail "node $n's heartbeat LED changed $count times in 1.5 s with a leader"
  echo "node $n heartbeat LED: $count changes in 1.5 s"
done

# Identify node 2 by name for 5 s: node 2 blinks identify, the others keep their pattern.
out=$(cli --endpoints "$(addr 1)" identify n2 --seconds 5) || fail "identify n2 failed"
echo "$out"
started=$(date +%s%N)
python3 "$HERE/led_watch.py" pattern "$(led_dir 2 ACT)" 2 > "$WORK/id.2" &
watchers=($!)
for n in 1 3; do watch_pattern "$n" 4.5 > "$WORK/id.$n" & watchers+=($!); done
wait "${watchers[@]}"
[ "$(cat "$WORK/id.2")" = identify ] || fail "node 2 shows '$(cat "$WORK/id.2")' while identified"
[ "$(cat "$WORK/id.1")" = leader ] || fail "node 1 shows '$(cat "$WORK/id.1")' during n2's identify"
[ "$(cat "$WORK/id.3")" = learner ] || fail "node 3 shows '$(cat "$WORK/id.3")' during n2's identify"
echo "identify: node 2 blinks, nodes 1 and 3 do not"
sleep "$(python3 -c "print(max(0, 5.4 - ($(date +%s%N) - $started) / 1e9))")"
expect_pattern 2 follower
cli --endpoints "$(addr 1)" identify n9 > /dev/null 2>&1 && fail "identify of an unknown node succeeded"

# A hot reading (80 C) in node 3's sysroot: hot-throttled, and the members table learns it.
echo 80000 > "$WORK/root3/sys/devices/virtual/thermal/thermal_zone0/temp"
expect_pattern 3 hot-throttled
temp_of_3() {
  cli --endpoints "$(addr 1)" members --json | python3 -c "
import json, sys
rows = {r['name']: r for r in json.load(sys.stdin)}
print(rows['n3']['temperature_milli'], rows['n3']['capacity_milli'], rows['n1']['capacity_milli'])"
}
published_hot() { read -r t c3 c1 <<< "$(temp_of_3)"; [ "$t" = 80000 ] && [ "$c3" -lt "$c1" ]; }
wait_until 30 published_hot || fail "members did not get node 3's hot reading: $(temp_of_3)"
echo "members: node 3 at $(temp_of_3 | cut -d' ' -f1) milli-C, capacity below node 1's"
cli --endpoints "$(addr 1)" members

# Kill the leader: the follower's heartbeat LED freezes and it shows no-quorum (2 voters, 1 left).
kill_agent 1
sleep 1.5
count=$(toggles 2 2)
[ "$count" -eq 0 ] || fail "node 2's heartbeat LED changed $count times with no leader"
expect_pattern 2 no-quorum

# SIGTERM: the status and heartbeat LEDs get their triggers back.
kill -TERM "${PIDS[2]}"
wait "${PIDS[2]}" || fail "node 2 did not exit 0 on SIGTERM"
unset "PIDS[2]"
[ "$(cat "$(led_dir 2 ACT)/trigger")" = mmc0 ] || fail "ACT trigger not restored"
[ "$(cat "$(led_dir 2 PWR)/trigger")" = default-on ] || fail "PWR trigger not restored"
echo "leds_test: every pattern as documented; triggers restored on SIGTERM"
