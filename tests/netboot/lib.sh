# shellcheck shell=bash
# Shared by the netboot tests: two network namespaces joined by a veth pair (server 10.77.0.1,
# client 10.77.0.2), a synthetic Pi image, cleanup. Nothing is sent outside the namespaces.
# Needs: PIFLEET (the binary), set by the test from its first argument.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
NS=nb$$
SRV=${NS}s CLI=${NS}c
work=$(mktemp -d /tmp/pifleet-netboot-test.XXXXXX)
serve_pid=""

fail() { echo "FAIL: $*" >&2; [ ! -f "$work/serve.log" ] || tail -n 30 "$work/serve.log" >&2; exit 1; }
skip() { echo "SKIPPED: $*"; exit 0; }

nb_cleanup() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  local ns pid
  for ns in "$SRV" "$CLI"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap nb_cleanup EXIT

nb_require() {  # checks for what every netboot test needs; SKIPPED otherwise
  [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, ports 67 and 69)"
  command -v ip > /dev/null || skip "no ip command (iproute2)"
  local tool
  for tool in python3 sfdisk mcopy mkfs.vfat mkfs.ext4 debugfs; do
    command -v "$tool" > /dev/null || skip "no $tool (scripts/setup installs it)"
  done
  [ -x "${PIFLEET:-}" ] || fail "no pifleet binary given (argument 1)"
  local error
  if ! error=$(ip netns add "$SRV" 2>&1); then skip "cannot create network namespaces ($error)"; fi
  ip netns add "$CLI"
  ip link add veth0 netns "$SRV" type veth peer name veth0 netns "$CLI" \
    || skip "cannot create a veth pair"
  ip -n "$SRV" addr add 10.77.0.1/24 dev veth0
  ip -n "$CLI" addr add 10.77.0.2/24 dev veth0
  for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; ip -n "$ns" link set veth0 up; done
}

# nb_image OUT: a small Raspberry Pi OS-shaped image (tests/image) plus the Pi 3 boot files.
nb_image() {
  bash "$repo/tests/image/make_rpios_image.sh" "$1"
  mkdir -p "$work/pi3"
  head -c 51000 /dev/urandom > "$work/pi3/bootcode.bin"
  head -c 93000 /dev/urandom > "$work/pi3/start.elf"
  MTOOLS_SKIP_CHECK=1 mcopy -i "$1@@$((8192 * 512))" "$work/pi3/bootcode.bin" "$work/pi3/start.elf" ::/
}

# nb_serve ARGS...: `pifleet netboot serve` in the server namespace, in the background; waits
# until it says it is serving (or fails the test).
nb_serve() {
  ip netns exec "$SRV" "$PIFLEET" netboot serve "$@" > "$work/serve.log" 2>&1 &
  serve_pid=$!
  local i
  for i in $(seq 1 300); do
    grep -q 'pifleet netboot: serving' "$work/serve.log" && return 0
    kill -0 "$serve_pid" 2>/dev/null || fail "serve exited early"
    sleep 0.1
  done
  fail "serve did not start within 30 s"
}

# nb_stop: SIGTERM to serve; it must exit 0 and leave nothing running in its namespace.
nb_stop() {
  kill -TERM "$serve_pid"
  local rc=0
  wait "$serve_pid" || rc=$?
  serve_pid=""
  [ "$rc" -eq 0 ] || fail "serve exited $rc on SIGTERM"
  local left
  left=$(ip netns pids "$SRV" | tr '\n' ' ')
  left=${left% }
  [ -z "$left" ] || fail "processes left in the server namespace after SIGTERM: $left ($(ps -o comm= -p ${left// /,}))"
}

# nb_client MODEL SERIAL MAC: the scripted Pi in the client namespace (its veth gets MAC).
nb_client() {
  ip -n "$CLI" link set veth0 address "$3"
  ip netns exec "$CLI" timeout 90 python3 "$here/pi_client.py" --iface veth0 --model "$1" \
    --serial "$2" --mac "$3" --retry-delay-s 1 --save "$work/got"
}
