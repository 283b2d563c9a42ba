#!/usr/bin/env bash
# pifleet netboot serve against a scripted Pi 4 bootloader and a scripted Pi 3B ROM, in network
# namespaces: proxy offer with the "Raspberry Pi Boot" service, unknown serial enrolled on its
# first TFTP miss, the retry gets the files; list, enroll/remove by hand, clean stop on SIGTERM.
# Usage: serve_test.sh PIFLEET_BINARY
PIFLEET=${1:-}
. "$(dirname "$0")/lib.sh"
nb_require
command -v dnsmasq > /dev/null || skip "no dnsmasq (scripts/setup installs dnsmasq-base)"

nb_image "$work/pi.img"
dir=$work/root
nb_serve --image "$work/pi.img" --interface veth0 --root "$dir" --nfs external
grep -q "dnsmasq [0-9]*: proxy-DHCP and TFTP on veth0 (10.77.0.1)" "$work/serve.log" || fail "no dnsmasq line"
[ -f "$dir/tftp/bootcode.bin" ] || fail "bootcode.bin not in the TFTP root"
[ ! -e "$dir/tftp/start4.elf" ] || fail "start4.elf in the TFTP root: unknown Pi 4s would boot unenrolled"
grep -qx 'dhcp-range=10.77.0.1,proxy' "$dir/run/dnsmasq.conf" || fail "not proxy-DHCP"

image_sum() {  # the sha256 of a file on the image's FAT partition
  MTOOLS_SKIP_CHECK=1 mtype -i "$work/pi.img@@$((8192 * 512))" "::/$1" | sha256sum | cut -d' ' -f1
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$3"; }

echo "== Pi 4, unknown serial 1234abcd"
nb_client pi4 1234abcd dc:a6:32:01:36:c2 > "$work/pi4.json" || { cat "$work/pi4.json"; fail "Pi 4 did not boot"; }
[ "$(json '' 'd["attempts"][0]["menu"]' "$work/pi4.json")" = "Raspberry Pi Boot   " ] \
  || fail "PXE menu text is not 'Raspberry Pi Boot   ' (3 trailing spaces)"
json '' 'd["attempts"][0]["missing"][0]' "$work/pi4.json" | grep -q '1234abcd/start4.elf' \
  || fail "the first attempt should miss 1234abcd/start4.elf (not enrolled yet)"
[ "$(json '' 'len(d["attempts"])' "$work/pi4.json")" -ge 2 ] || fail "expected a retry"
[ "$(json '' 'd["files"]["1234abcd/start4.elf"]["sha256"]' "$work/pi4.json")" = "$(image_sum start4.elf)" ] \
  || fail "start4.elf differs from the image's"
cmp -s "$work/got/1234abcd/config.txt" <(MTOOLS_SKIP_CHECK=1 mtype -i "$work/pi.img@@$((8192 * 512))" ::/config.txt) \
  || fail "config.txt differs from the image's"
grep -q 'enrolled 1234abcd as pi-1234abcd' "$work/serve.log" || fail "no enrolment in the serve log"
cmdline=$(cat "$dir/tftp/1234abcd/cmdline.txt")
case "$cmdline" in
  *"root=/dev/nfs nfsroot=10.77.0.1:$dir/nodes/1234abcd/root,vers=3,tcp,noacl ip=dhcp rw rootwait"*) ;;
  *) fail "cmdline.txt does not point the root at the server: $cmdline" ;;
esac
case "$cmdline" in *PARTUUID*|*init=*) fail "cmdline.txt keeps the card's root: $cmdline" ;; esac
# The serve log is read a moment after dnsmasq writes it.
for i in $(seq 1 50); do [ -s "$dir/nodes/1234abcd/mac" ] && break; sleep 0.1; done
[ "$(cat "$dir/nodes/1234abcd/mac")" = dc:a6:32:01:36:c2 ] || fail "MAC not recorded"
[ -s "$dir/nodes/1234abcd/last_boot" ] || fail "last boot not recorded"

echo "== Pi 3B, unknown serial 5678ef01"
nb_client pi3b 5678ef01 b8:27:eb:78:ef:01 > "$work/pi3.json" || { cat "$work/pi3.json"; fail "Pi 3B did not boot"; }
[ "$(json '' 'd["files"]["bootcode.bin"]["sha256"]' "$work/pi3.json")" = "$(image_sum bootcode.bin)" ] \
  || fail "bootcode.bin differs from the image's"
[ "$(json '' 'd["files"]["5678ef01/start.elf"]["sha256"]' "$work/pi3.json")" = "$(image_sum start.elf)" ] \
  || fail "start.elf differs from the image's"
json '' 'd["attempts"][0]["missing"]' "$work/pi3.json" | grep -q '5678ef01/start.elf' \
  || fail "the first attempt should miss 5678ef01/start.elf"

echo "== node roots: identity"
for s in 1234abcd 5678ef01; do
  for i in $(seq 1 100); do [ -d "$dir/nodes/$s/root" ] && break; sleep 0.1; done
  r=$dir/nodes/$s/root
  [ -d "$r" ] || fail "no root for $s"
  [ "$(cat "$r/etc/hostname")" = "pi-$s" ] || fail "hostname of $s"
  grep -qx 'role = "learner"  # pifleet netboot' "$r/boot/firmware/pifleet.toml" || fail "$s does not join as a learner"
  grep -qx 'hostname = "pi-'$s'"' "$r/boot/firmware/pifleet.toml" || fail "$s has no hostname in pifleet.toml"
  [ -s "$r/etc/ssh/ssh_host_ed25519_key" ] || fail "$s has no SSH host key"
  [ "$(cat "$r/etc/machine-id")" = uninitialized ] || fail "$s machine-id"
  [ -f "$r/var/lib/pifleet-growroot/done" ] || fail "$s would try to grow a partition"
  [ ! -s "$r/etc/fstab" ] || ! grep -q '^[^#]' "$r/etc/fstab" || fail "$s fstab mounts card partitions"
done
cmp -s "$dir/nodes/1234abcd/root/etc/ssh/ssh_host_ed25519_key.pub" \
  "$dir/nodes/5678ef01/root/etc/ssh/ssh_host_ed25519_key.pub" && fail "two Pis share an SSH host key"

echo "== list, enroll, remove"
"$PIFLEET" netboot list --root "$dir" --offline --json > "$work/list.json"
python3 - "$work/list.json" <<'PY' || fail "list --json: $(cat "$work/list.json")"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["serial"] for r in rows] == ["1234abcd", "5678ef01"], rows
assert rows[0]["hostname"] == "pi-1234abcd" and rows[0]["mac"] == "dc:a6:32:01:36:c2", rows[0]
assert rows[0]["first_boot_unix"] and rows[0]["last_boot_unix"] >= rows[0]["first_boot_unix"]
assert rows[0]["joined"] is None  # --offline
PY
"$PIFLEET" keygen --out "$work/cluster.key" > /dev/null
rc=0; "$PIFLEET" --endpoints 127.0.0.1:9 --key-file "$work/cluster.key" --timeout-ms 300 netboot list --root "$dir" > "$work/list.txt" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "list without a cluster: exit $rc, expected 3"
grep -q '^1234abcd  *pi-1234abcd  *dc:a6:32:01:36:c2 .* ?$' "$work/list.txt" || fail "list table: $(cat "$work/list.txt")"
echo "== list against a real members table (an agent named like one of the Pis, on loopback)"
port=$((20000 + RANDOM % 20000))
"$PIFLEET" agent --data-dir "$work/agent" --listen "127.0.0.1:$port" --key-file "$work/cluster.key" \
  --cluster nb --name pi-5678ef01 --metrics-listen "" --seed > "$work/agent.log" 2>&1 &
agent_pid=$!
client=("$PIFLEET" --endpoints "127.0.0.1:$port" --key-file "$work/cluster.key" --cluster nb)
for i in $(seq 1 150); do "${client[@]}" members 2> /dev/null | grep -q pi-5678ef01 && break; sleep 0.2; done
"${client[@]}" netboot list --root "$dir" --json > "$work/list2.json" || fail "list with a cluster: exit $?"
kill -TERM "$agent_pid"; wait "$agent_pid" || true
python3 - "$work/list2.json" <<'PY' || fail "list --json with a cluster: $(cat "$work/list2.json")"
import json, sys
rows = {r["serial"]: r for r in json.load(open(sys.argv[1]))}
assert rows["1234abcd"]["joined"] is False, rows
assert rows["5678ef01"]["joined"] is True and rows["5678ef01"]["node_id"], rows
assert rows["5678ef01"]["voting"] == "voter", rows  # the seed
PY

"$PIFLEET" netboot enroll abcdef12 --root "$dir" --hostname web-1 > "$work/enroll.log" || fail "enroll"
[ "$(cat "$dir/nodes/abcdef12/hostname")" = web-1 ] && [ -f "$dir/tftp/abcdef12/start4.elf" ] || fail "enroll by hand"
rc=0; "$PIFLEET" netboot enroll abcdef12 --root "$dir" 2> "$work/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q 'already enrolled' "$work/err" || fail "second enroll: exit $rc $(cat "$work/err")"
rc=0; "$PIFLEET" netboot enroll XYZ --root "$dir" 2> "$work/err" || rc=$?
[ "$rc" -eq 2 ] || fail "bad serial: exit $rc"
"$PIFLEET" netboot remove abcdef12 --root "$dir" > /dev/null || fail "remove"
[ ! -e "$dir/nodes/abcdef12" ] && [ ! -e "$dir/tftp/abcdef12" ] || fail "remove left files"
rc=0; "$PIFLEET" netboot remove abcdef12 --root "$dir" 2> /dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "remove of an unknown serial: exit $rc"

echo "== known Pi reboots: first attempt succeeds"
nb_client pi4 1234abcd dc:a6:32:01:36:c2 > "$work/pi4b.json" || fail "Pi 4 second boot"
[ "$(json '' 'len(d["attempts"])' "$work/pi4b.json")" -eq 1 ] || fail "a known Pi needed a retry"

echo "== SIGTERM"
dnsmasq_pid=$(sed -n 's/^pifleet netboot: dnsmasq \([0-9]*\):.*/\1/p' "$work/serve.log")
nb_stop
! kill -0 "$dnsmasq_pid" 2>/dev/null || fail "dnsmasq $dnsmasq_pid still runs"
echo "PASS"
