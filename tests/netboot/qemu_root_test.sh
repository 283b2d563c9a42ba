#!/usr/bin/env bash
# Slow (label netboot-slow): the root path end to end. A seed agent runs in the server namespace
# (10.77.0.1:7101) beside `pifleet netboot serve` of a full image (nfs-ganesha for the roots);
# a scripted Pi 4 with serial 0e0e0e0e is enrolled and fetches its files, then
# qemu-system-aarch64 -M virt boots the kernel and initramfs serve put in 0e0e0e0e/ with the
# cmdline.txt serve wrote, adapted only for the virt machine's console (console=ttyAMA0). The
# test LAN has its own address-giving DHCP server (a dnsmasq in the client namespace, as the
# LAN's router would be), so the kernel's ip=dhcp and systemd-networkd work as on a real LAN.
# Passes when pifleet.service reports READY and the seed lists pi-0e0e0e0e as a learner, and
# after a power cut the same node (node id, SSH host key) is READY and answering again.
# Image: PIFLEET_IMAGE_DIR (an image/build output dir), else image/build with the aarch64 build.
# PIFLEET_NETBOOT_KEEP=DIR keeps the logs (console, serve, dnsmasq, ganesha, seed) in DIR.
# Usage: qemu_root_test.sh HOST_PIFLEET
PIFLEET=${1:-}
. "$(dirname "$0")/lib.sh"
command -v qemu-system-aarch64 > /dev/null || skip "qemu-system-aarch64 not installed (scripts/setup)"
for tool in dnsmasq ganesha.nfsd rpcbind unshare; do
  command -v "$tool" > /dev/null || skip "no $tool (scripts/setup)"
done
[ -c /dev/net/tun ] || skip "no /dev/net/tun for qemu's tap NIC"
image_dir=${PIFLEET_IMAGE_DIR:-}
version=$(sed -n 's/^project(pifleet VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
deb=${PIFLEET_AARCH64_DEB:-$repo/build/aarch64/pifleet_$version-1_arm64.deb}
[ -n "$image_dir" ] || [ -r "$deb" ] || skip "no image (PIFLEET_IMAGE_DIR) and no arm64 pifleet package at $deb"
nb_require
qemu_pid="" seed_pid=""
qemu_cleanup() {
  [ -z "$qemu_pid" ] || kill "$qemu_pid" 2> /dev/null || true
  if [ -n "${PIFLEET_NETBOOT_KEEP:-}" ]; then
    mkdir -p "$PIFLEET_NETBOOT_KEEP"
    cp "$work"/*.log "$work"/*.txt "$work"/*.json "$work"/root/run/*.log "$PIFLEET_NETBOOT_KEEP/" 2> /dev/null || true
  fi
  [ -z "$seed_pid" ] || kill "$seed_pid" 2> /dev/null || true
  nb_cleanup
}
trap qemu_cleanup EXIT

if [ -z "$image_dir" ]; then
  image_dir=$work/image
  t=$(date +%s)
  "$repo/image/build" --out "$image_dir" --deb "$deb" > "$work/build.log" 2>&1 \
    || { tail -n 20 "$work/build.log"; fail "image/build failed"; }
  echo "qemu_root_test: image/build took $(($(date +%s) - t)) s"
fi
image=$(ls "$image_dir"/pifleet-*-arm64.img.xz 2> /dev/null | head -n 1)
[ -n "$image" ] || fail "no pifleet-*-arm64.img.xz in $image_dir"

# The cluster on the host side: one seed in the server namespace.
"$PIFLEET" keygen --out "$work/cluster.key" > /dev/null
ip netns exec "$SRV" "$PIFLEET" agent --data-dir "$work/seed" --listen 10.77.0.1:7101 \
  --key-file "$work/cluster.key" --cluster nb --name seed --metrics-listen "" --seed \
  > "$work/seed.log" 2>&1 &
seed_pid=$!
cat > "$work/netboot.toml" <<EOF
cluster = "nb"
join = ["10.77.0.1:7101"]
listen = "0.0.0.0:7101"
key = "$(cat "$work/cluster.key")"
[firstboot]
hostname = "unused-{serial}"
EOF
members() {
  ip netns exec "$SRV" "$PIFLEET" --endpoints 10.77.0.1:7101 --key-file "$work/cluster.key" \
    --cluster nb members --json 2> /dev/null
}

# serve, with its own rpcbind and ganesha in a private /run.
ip netns exec "$SRV" unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' \
  "$PIFLEET" netboot serve --image "$image" --interface veth0 --root "$work/root" \
  --cluster-config "$work/netboot.toml" > "$work/serve.log" 2>&1 &
serve_pid=$!
for i in $(seq 1 1800); do
  grep -q 'pifleet netboot: serving' "$work/serve.log" && break
  kill -0 "$serve_pid" 2> /dev/null || fail "serve exited early"
  sleep 1
done
grep -q 'pifleet netboot: serving' "$work/serve.log" || fail "serve not up after 30 min"
echo "qemu_root_test: serve up: $(grep 'TFTP tree ready' "$work/serve.log")"

# The first DHCP discover: a scripted Pi 4 gets enrolled and fetches its boot files.
t0=$(date +%s)
echo "qemu_root_test: the first DHCP discover at $(date -u -d "@$t0" +%FT%TZ)"
serial=0e0e0e0e
nb_client pi4 "$serial" dc:a6:32:0e:0e:0e > "$work/pi4.json" || { cat "$work/pi4.json"; fail "Pi 4 files"; }
for i in $(seq 1 600); do [ -d "$work/root/nodes/$serial/root" ] && break; sleep 1; done
[ -d "$work/root/nodes/$serial/root" ] || fail "the node root was not made"
echo "qemu_root_test: enrolled and root copied $(($(date +%s) - t0)) s after the first discover"

# The kernel and initramfs the firmware would load, named by the served config.txt.
tftp_dir=$work/root/tftp/$serial
kernel=$(sed -n 's/^kernel=//p' "$tftp_dir/config.txt" | tail -n 1)
initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' "$tftp_dir/config.txt" | tail -n 1)
[ -f "$tftp_dir/$kernel" ] && [ -f "$tftp_dir/$initrd" ] || fail "config.txt names '$kernel' '$initrd'"
cmdline=""
for word in $(cat "$work/got/$serial/cmdline.txt"); do
  case "$word" in
    console=*) ;;
    *) cmdline="$cmdline $word" ;;
  esac
done
cmdline="console=ttyAMA0 panic=-1 systemd.show_status=1$cmdline"
echo "qemu_root_test: cmdline: $cmdline"

# The client namespace becomes the Pi's port: a bridge joins the veth and qemu's tap, and the
# LAN's router on it hands out addresses (serve's dnsmasq is proxy-DHCP only).
# The scripted Pi gave veth0 the Pi's MAC; a bridge port keeping it would swallow every frame
# for the VM as the bridge's own.
ip -n "$CLI" addr flush dev veth0
ip -n "$CLI" link set veth0 address 02:77:00:00:00:02
ip -n "$CLI" link add br0 type bridge
ip -n "$CLI" link set veth0 master br0
ip -n "$CLI" tuntap add tap0 mode tap
ip -n "$CLI" link set tap0 master br0
ip -n "$CLI" link set tap0 up
ip -n "$CLI" link set br0 up
ip -n "$CLI" addr add 10.77.0.2/24 dev br0
ip netns exec "$CLI" dnsmasq --keep-in-foreground --port=0 --interface=br0 --bind-interfaces \
  --dhcp-range=10.77.0.3,10.77.0.9,255.255.255.0,1h --dhcp-leasefile="$work/lan.leases" \
  --log-dhcp --log-facility="$work/lan-dhcp.log" --pid-file= --user=root > /dev/null 2>&1 &
boot_vm() {  # the Pi, powered on; its serial console appends to console.log
  ip netns exec "$CLI" qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 1024 -display none \
    -monitor none -serial "file:$work/console.log" -no-reboot \
    -kernel "$tftp_dir/$kernel" -initrd "$tftp_dir/$initrd" -append "$cmdline" \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mac=dc:a6:32:0e:0e:0e,romfile= &
  qemu_pid=$!
}
: > "$work/console.log"
boot_vm
deadline=$((t0 + ${PIFLEET_BOOT_TIMEOUT_S:-1200}))
# systemd stops printing unit status on the serial console once a getty runs there, which
# can be before the agent's READY=1; the node's journal is in its root, on this server.
node_journal() {
  command -v journalctl > /dev/null || return 0
  journalctl --directory="$work/root/nodes/$serial/root/var/log/journal" -o short-iso \
    -u pifleet.service -u pifleet-firstboot.service --no-pager 2> /dev/null || true
}
ready="" joined=""
while [ "$(date +%s)" -lt "$deadline" ] && { [ -z "$ready" ] || [ -z "$joined" ]; }; do
  kill -0 "$qemu_pid" 2> /dev/null || fail "qemu exited: $(tail -n 30 "$work/console.log")"
  sed 's/\x1b\[[0-9;]*m//g' "$work/console.log" > "$work/console.txt"
  node_journal > "$work/journal.txt"
  if [ -z "$ready" ] && grep -aq 'Started pifleet.service' "$work/console.txt" "$work/journal.txt"; then
    ready=$(($(date +%s) - t0))
    echo "qemu_root_test: pifleet.service READY $ready s after the first DHCP discover (seen then;" \
      "the node's journal: $(grep -a -m1 'Started pifleet.service' "$work/journal.txt" | cut -d' ' -f1))"
  fi
  grep -aq 'Failed to start pifleet' "$work/console.txt" "$work/journal.txt" \
    && fail "a pifleet unit failed: $(tail -n 30 "$work/console.txt" "$work/journal.txt")"
  if [ -z "$joined" ] && members | python3 -c '
import json, sys
rows = json.load(sys.stdin)
sys.exit(0 if any(r["name"] == "pi-'$serial'" and r["voting"] != "voter" for r in rows) else 1)' 2> /dev/null; then
    joined=$(($(date +%s) - t0))
    echo "qemu_root_test: pi-$serial in the members table as a learner $joined s after the first discover"
  fi
  sleep 5
done
[ -n "$ready" ] || fail "no READY within the deadline: $(tail -n 40 "$work/console.txt")"
[ -n "$joined" ] || fail "not a learner in the members table: $(members)"
ip netns exec "$SRV" "$PIFLEET" --endpoints 10.77.0.1:7101 --key-file "$work/cluster.key" --cluster nb \
  netboot list --root "$work/root" | tee "$work/list.txt"
grep -q "^$serial .*yes" "$work/list.txt" || fail "netboot list does not show $serial as joined"

# A power cut and a second boot: the same node comes back (node id, SSH host key) from its root.
node_id=$(members | python3 -c '
import json, sys
print([r["node_id"] for r in json.load(sys.stdin) if r["name"] == "pi-'$serial'"][0])')
host_key=$(sha256sum < "$work/root/nodes/$serial/root/etc/ssh/ssh_host_ed25519_key.pub")
node_ip=$(awk '$2 == "dc:a6:32:0e:0e:0e" { print $3 }' "$work/lan.leases")
kill -KILL "$qemu_pid"; wait "$qemu_pid" 2> /dev/null || true
t1=$(date +%s)
boot_vm
back=""
while [ "$(date +%s)" -lt $((t1 + ${PIFLEET_BOOT_TIMEOUT_S:-1200})) ]; do
  kill -0 "$qemu_pid" 2> /dev/null || fail "qemu exited on the second boot: $(tail -n 30 "$work/console.log")"
  node_journal > "$work/journal.txt"
  if [ "$(grep -ac 'Started pifleet.service' "$work/journal.txt")" -ge 2 ] \
    && ip netns exec "$SRV" "$PIFLEET" --endpoints "$node_ip:7101" --key-file "$work/cluster.key" \
      --cluster nb status --json 2> /dev/null | grep -q "\"node_id\":$node_id,"; then
    back=$(($(date +%s) - t1)); break
  fi
  sleep 5
done
[ -n "$back" ] || fail "node $node_id not back after a power cut: $(tail -n 20 "$work/journal.txt")"
echo "qemu_root_test: after a power cut, node $node_id READY again and answering $back s after power-on"
members | python3 -c '
import json, sys
sys.exit(0 if sum(r["name"] == "pi-'$serial'" for r in json.load(sys.stdin)) == 1 else 1)' \
  || fail "not one pi-$serial in the members table: $(members)"
[ "$host_key" = "$(sha256sum < "$work/root/nodes/$serial/root/etc/ssh/ssh_host_ed25519_key.pub")" ] \
  || fail "the SSH host key changed across the reboot"

# Nothing on the NFS root may fail with EIO (nfs-ganesha's NFSACL did, before nfsroot had noacl).
if command -v journalctl > /dev/null; then
  journalctl --directory="$work/root/nodes/$serial/root/var/log/journal" -o short-iso --no-pager \
    > "$work/journal-full.txt" 2> /dev/null || true
  ! grep -a 'Input/output error' "$work/journal-full.txt" || fail "I/O errors on the node's NFS root"
fi
kill "$qemu_pid"; wait "$qemu_pid" 2> /dev/null || true; qemu_pid=""
kill "$seed_pid"; wait "$seed_pid" 2> /dev/null || true; seed_pid=""  # the test's, not serve's
nb_stop
echo "PASS (READY ${ready} s, joined ${joined} s after the first DHCP discover; back ${back} s after a power cut)"
