#!/usr/bin/env bash
# pifleet netboot serve on bad input: an image that is not a Pi image, an interface that does not
# exist, dnsmasq missing, port 67 taken. Each: exit 1, a clear message, nothing left running.
# Usage: bad_input_test.sh PIFLEET_BINARY
PIFLEET=${1:-}
. "$(dirname "$0")/lib.sh"
nb_require
command -v dnsmasq > /dev/null || skip "no dnsmasq (scripts/setup installs dnsmasq-base)"

# expect_fail WHAT PATTERN [ENV...] -- ARGS: serve in the server namespace must exit 1 with
# PATTERN on stderr and leave no process in the namespace.
expect_fail() {
  local what=$1 pattern=$2 rc=0 left; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  ip netns exec "$SRV" env "${envs[@]}" "$PIFLEET" netboot serve "$@" > "$work/out" 2> "$work/err" || rc=$?
  [ "$rc" -eq 1 ] || fail "$what: exit $rc, expected 1 ($(cat "$work/err"))"
  grep -q "$pattern" "$work/err" || fail "$what: message '$(cat "$work/err")' lacks '$pattern'"
  left=$(ip netns pids "$SRV" | grep -vx "${blocker_pid:-none}" | tr '\n' ' ' || true)
  [ -z "$left" ] || fail "$what: left running: $left"
  echo "ok: $what: $(tail -n 1 "$work/err")"
}

nb_image "$work/pi.img"
good=(--interface veth0 --nfs external)

echo "== not a Pi image"
head -c 3000000 /dev/urandom > "$work/random.img"
expect_fail "random bytes" "not a Raspberry Pi image: no partition table" -- --image "$work/random.img" --root "$work/r1" "${good[@]}"
# An MBR disk with a FAT partition but no Pi boot files.
truncate -s 40M "$work/plain.img"
printf 'label: dos\nstart=2048, size=40000, type=c\nstart=43008, type=83\n' | sfdisk -q "$work/plain.img"
mkfs.vfat --offset 2048 "$work/plain.img" 20000 > /dev/null 2>&1
expect_fail "FAT without config.txt" "not a Raspberry Pi image: its FAT partition has no config.txt" -- --image "$work/plain.img" --root "$work/r2" "${good[@]}"
printf 'x\n' > "$work/config.txt"
MTOOLS_SKIP_CHECK=1 mcopy -i "$work/plain.img@@$((2048 * 512))" "$work/config.txt" ::/
expect_fail "FAT without firmware" "has none of: start4.elf start.elf bootcode.bin" -- --image "$work/plain.img" --root "$work/r3" "${good[@]}"
printf 'not xz' > "$work/bad.img.xz"
expect_fail "broken .xz" "not a valid .xz file" -- --image "$work/bad.img.xz" --root "$work/r4" "${good[@]}"

echo "== no such interface"
expect_fail "missing interface" "no network interface 'eth9'" -- --image "$work/pi.img" --root "$work/r5" --interface eth9 --nfs external

echo "== dnsmasq missing"
mkdir -p "$work/bin"
for tool in sfdisk mdir mcopy debugfs xz ip stat mkdir; do ln -sf "$(command -v "$tool")" "$work/bin/$tool"; done
[ ! -e /usr/bin/dnsmasq ] && [ ! -e /bin/dnsmasq ] || skip "dnsmasq in /usr/bin: cannot hide it"
expect_fail "no dnsmasq" "dnsmasq not found" PATH="$work/bin:/usr/bin:/bin" -- --image "$work/pi.img" --root "$work/r6" "${good[@]}"

echo "== port 67 taken"
ip netns exec "$SRV" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 67)); print("bound", flush=True); time.sleep(600)' > "$work/blocker.out" &
blocker_pid=$!
for i in $(seq 1 50); do grep -q bound "$work/blocker.out" && break; sleep 0.1; done
expect_fail "port 67 taken" "dnsmasq could not start: .*port 67" -- --image "$work/pi.img" --root "$work/r7" "${good[@]}"
kill "$blocker_pid"; wait "$blocker_pid" 2>/dev/null || true; blocker_pid=""

echo "== and with the port free, the same command serves"
nb_serve --image "$work/pi.img" --root "$work/r7" "${good[@]}"
nb_stop
echo "PASS"
