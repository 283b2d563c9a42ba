#!/usr/bin/env bash
# LAN discovery between two network namespaces joined by a veth pair (multicast capable):
# a seed in namespace A sends sealed beacons; agents started with --discover and no address
# join it, one in A beside the seed (same host, same beacon port) and one in B across the link.
# An agent holding another cluster key hears the beacons, drops them (counted as unknown_key)
# and never joins. Last, an agent on another multicast group still finds the cluster through
# the seed's broadcast copies (discover_broadcast). Skips where namespaces cannot be made.
if [ "$(id -u)" != 0 ]; then echo "SKIPPED: network namespaces need root"; exit 0; fi
if ! command -v ip > /dev/null; then echo "SKIPPED: no ip command (iproute2)"; exit 0; fi
ns_a=pfdA$$
ns_b=pfdB$$
if ! ip netns add "$ns_a" 2> /dev/null; then
  echo "SKIPPED: cannot create network namespaces here (ip netns add failed)"
  exit 0
fi
ip netns add "$ns_b"
source "$(dirname "$0")/lib.sh"
trap 'st=$?; (exit $st); cleanup; ip netns del "$ns_a" 2>/dev/null; ip netns del "$ns_b" 2>/dev/null; exit $st' EXIT

ip link add "pfa$$" type veth peer name "pfb$$"
ip link set "pfa$$" netns "$ns_a"
ip link set "pfb$$" netns "$ns_b"
ip -n "$ns_a" addr add 10.77.0.1/24 dev "pfa$$"
ip -n "$ns_b" addr add 10.77.0.2/24 dev "pfb$$"
for side in "$ns_a:pfa$$" "$ns_b:pfb$$"; do
  ns=${side%%:*}; dev=${side#*:}
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "$dev" up
  ip -n "$ns" route add default dev "$dev"  # multicast and 255.255.255.255 go out on the veth
done
ip -n "$ns_a" link show "pfa$$" | grep -q MULTICAST || fail "the veth has no MULTICAST flag"

keygen_distinct "$WORK/other.key" "$WORK/cluster.key"
# agent_in NS N ADDRESS KEYFILE [flags...]: node N in namespace NS.
agent_in() {
  local ns=$1 n=$2 address=$3 key=$4; shift 4
  ip netns exec "$ns" "$PIFLEET" agent --data-dir "$WORK/n$n" --listen "$address" \
    --key-file "$key" --name "n$n" --metrics-listen "" "$@" >> "$WORK/n$n.log" 2>&1 &
  PIDS[$n]=$!
}
cli_in() { local ns=$1; shift; ip netns exec "$ns" "$PIFLEET" --key-file "$WORK/cluster.key" --timeout-ms 3000 "$@"; }
member_count() {
  cli_in "$ns_a" --endpoints 10.77.0.1:7101 status --json 2>/dev/null |
    python3 -c "import json,sys; r=json.loads(sys.stdin.readline()); print(len(r['voters'])+len(r['learners']))"
}
has_members() { [ "$(member_count)" = "$1" ]; }
drops_of() {  # drops_of NS KEYFILE ENDPOINT REASON
  ip netns exec "$1" "$PIFLEET" --key-file "$2" --endpoints "$3" --timeout-ms 3000 status --json |
    python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['dropped']['$4'])"
}

key=$WORK/cluster.key
agent_in "$ns_a" 1 10.77.0.1:7101 "$key" --seed --discover --discover-broadcast --discover-interval-ms 300
wait_until 15 has_members 1 || fail "the seed did not come up"
start=$(date +%s%N)
agent_in "$ns_a" 3 10.77.0.1:7103 "$key" --discover  # same namespace: shares the beacon port
agent_in "$ns_b" 2 10.77.0.2:7102 "$key" --discover  # across the veth
agent_in "$ns_b" 4 10.77.0.2:7104 "$WORK/other.key" --discover
wait_until 30 has_members 3 || fail "discovered agents did not join: $(member_count) members"
echo "two agents joined by discovery $(( ($(date +%s%N) - start) / 1000000 )) ms after they started"
grep -q "discovery: found a member" "$WORK/n2.log" || fail "node 2 did not join by discovery"
echo "joined by beacons alone: $(cli_in "$ns_a" --endpoints 10.77.0.1:7101 members | tail -n +2 | awk '{print $2, $3, $4}' | tr '\n' ';')"

wrong=$(drops_of "$ns_b" "$WORK/other.key" 10.77.0.2:7104 unknown_key)
[ "$wrong" -gt 0 ] || fail "the other-key agent counted no unknown_key drops"
role=$(ip netns exec "$ns_b" "$PIFLEET" --key-file "$WORK/other.key" --endpoints 10.77.0.2:7104 status --json |
  python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['role'])")
[ "$role" = joining ] || fail "the other-key agent is '$role', want joining"
sleep 1
has_members 3 || fail "the other-key agent got into the cluster"
echo "other-key agent: still joining, $wrong beacons dropped as unknown_key"

sent=$(cli_in "$ns_a" --endpoints 10.77.0.1:7101 metrics | grep '^pifleet_discovery_beacons_sent_total{via="multicast"}' | awk '{print $2}')
[ "${sent:-0}" -gt 0 ] || fail "the seed reports no multicast beacons sent"
echo "seed: $sent beacons sent by multicast (and as many by broadcast)"

# Broadcast: node 5 listens on another group, so only the seed's broadcast copies reach it.
# Node 2 leaves namespace B first, so nothing there is joined to the seed's group. Only once the
# autopilot has made all three voters: killing node 2 while it is one of just two voters would
# leave no quorum to add node 5.
voter_count() {
  cli_in "$ns_a" --endpoints 10.77.0.1:7101 status --json 2>/dev/null |
    python3 -c "import json,sys; print(len(json.loads(sys.stdin.readline())['voters']))"
}
three_voters() { [ "$(voter_count)" = 3 ]; }
wait_until 30 three_voters || fail "the autopilot did not make 3 voters (have $(voter_count))"
kill_agent 2
kill_agent 4
agent_in "$ns_b" 5 10.77.0.2:7105 "$key" --discover --discover-group 239.255.70.71:7170
wait_until 30 has_members 4 || fail "node 5 did not join through broadcast beacons"
echo "discovery_test: multicast join in and across namespaces, other key ignored, broadcast join"
