# Network namespaces for the partition tests, sourced after lib.sh. A switch namespace holds a
# bridge; each node N gets its own namespace joined to it by a veth pair (node side eth0 with
# 10.203.0.N/24, switch side <prefix>pN). Clients run in the switch namespace (10.203.0.254)
# unless CLI_NODE names a node, and then inside that node's namespace. Everything is deleted
# when the test exits. Skips the test when namespaces cannot be created.
NS=pf$$
SUBNET=10.203.0
NETNS_NODES=()

host_of() { echo "$SUBNET.$1"; }
wrap_for() {
  if [ -n "$1" ]; then WRAP=(ip netns exec "${NS}n$1"); else WRAP=(ip netns exec "${NS}sw"); fi
}

netns_teardown() {
  local n
  for n in "${NETNS_NODES[@]}"; do ip netns del "${NS}n$n" 2> /dev/null || true; done
  ip netns del "${NS}sw" 2> /dev/null || true
}
trap 'rc=$?; (exit $rc); cleanup; netns_teardown' EXIT

# netns_setup N...: the switch and one namespace per node.
netns_setup() {
  local n error
  command -v ip > /dev/null || { echo "SKIPPED: no ip command (iproute2)"; exit 0; }
  if ! error=$(ip netns add "${NS}sw" 2>&1); then
    echo "SKIPPED: cannot create network namespaces (ip netns add: $error)"
    exit 0
  fi
  ip -n "${NS}sw" link add br0 type bridge
  ip -n "${NS}sw" addr add "$SUBNET.254/24" dev br0
  ip -n "${NS}sw" link set br0 up
  ip -n "${NS}sw" link set lo up
  for n in "$@"; do
    ip netns add "${NS}n$n"
    NETNS_NODES+=("$n")
    ip link add "${NS}v$n" type veth peer name "${NS}p$n"
    ip link set "${NS}v$n" netns "${NS}n$n"
    ip link set "${NS}p$n" netns "${NS}sw"
    ip -n "${NS}n$n" link set "${NS}v$n" name eth0
    ip -n "${NS}n$n" addr add "$SUBNET.$n/24" dev eth0
    ip -n "${NS}n$n" link set eth0 up
    ip -n "${NS}n$n" link set lo up
    ip -n "${NS}sw" link set "${NS}p$n" master br0 up
  done
}

# cut_link N / heal_link N: node N's cable out of the switch, and back.
cut_link() { ip -n "${NS}sw" link set "${NS}p$1" down; }
heal_link() { ip -n "${NS}sw" link set "${NS}p$1" up; }

# lossy_links N...: 20 % loss and 50 ms delay on every datagram a node sends. Skips the test
# when the kernel has no netem qdisc.
lossy_links() {
  local n error
  for n in "$@"; do
    if ! error=$(ip netns exec "${NS}n$n" tc qdisc add dev eth0 root netem delay 50ms loss 20% 2>&1)
    then
      echo "SKIPPED: tc qdisc netem unavailable ($error)"
      exit 0
    fi
  done
}
