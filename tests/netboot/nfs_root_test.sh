#!/usr/bin/env bash
# The root path up to the kernel: serve with its own NFS server (nfs-ganesha + rpcbind, in a
# private /run so nothing clashes with the host's), a scripted Pi 4 is enrolled and fetches its
# cmdline.txt by TFTP, then the nfsroot= in that cmdline is mounted the way klibc nfsmount does
# it (portmapper, MOUNT v3, NFS v3 LOOKUP/READ: nfs_probe.py) and the node's own files are read.
# Usage: nfs_root_test.sh PIFLEET_BINARY
PIFLEET=${1:-}
. "$(dirname "$0")/lib.sh"
nb_require
for tool in dnsmasq ganesha.nfsd rpcbind unshare; do
  command -v "$tool" > /dev/null || skip "no $tool (scripts/setup installs dnsmasq-base nfs-ganesha nfs-ganesha-vfs rpcbind)"
done

nb_image "$work/pi.img"
dir=$work/root
# A private /run: rpcbind's socket and lock live there.
ip netns exec "$SRV" unshare -m sh -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' \
  "$PIFLEET" netboot serve --image "$work/pi.img" --interface veth0 --root "$dir" > "$work/serve.log" 2>&1 &
serve_pid=$!
for i in $(seq 1 300); do
  grep -q 'pifleet netboot: serving' "$work/serve.log" && break
  kill -0 "$serve_pid" 2>/dev/null || fail "serve exited early"
  sleep 0.1
done
grep -q 'ganesha.nfsd [0-9]*: NFS export' "$work/serve.log" || fail "no NFS server started"

nb_client pi4 c0ffee42 dc:a6:32:c0:ff:ee > "$work/pi4.json" || { cat "$work/pi4.json"; fail "Pi 4 did not boot"; }
nfsroot=$(tr ' ' '\n' < "$work/got/c0ffee42/cmdline.txt" | sed -n 's/^nfsroot=//p')
server=${nfsroot%%:*} path=${nfsroot#*:}; path=${path%%,*}
[ "$server" = 10.77.0.1 ] && [ "$path" = "$dir/nodes/c0ffee42/root" ] || fail "nfsroot=$nfsroot"
for i in $(seq 1 100); do [ -d "$path" ] && break; sleep 0.1; done
probe() { ip netns exec "$CLI" python3 "$here/nfs_probe.py" "$server" "$path" "$1"; }
[ "$(probe etc/hostname)" = pi-c0ffee42 ] || fail "etc/hostname over NFS: $(probe etc/hostname 2>&1)"
probe boot/firmware/pifleet.toml | grep -qx 'role = "learner"  # pifleet netboot' || fail "pifleet.toml over NFS"
probe etc/ssh/ssh_host_ed25519_key.pub | grep -q '^ssh-ed25519 ' || fail "SSH host key over NFS"
# Outside the interface's subnet (the server's own loopback here): refused.
ip netns exec "$SRV" python3 "$here/nfs_probe.py" 127.0.0.1 "$path" etc/hostname > /dev/null 2> "$work/denied" \
  && fail "the export is open outside 10.77.0.0/24"
echo "ok: refused outside the subnet: $(cat "$work/denied")"
echo "ok: the Pi's nfsroot $nfsroot serves its own root (hostname, learner config, host key)"

nb_stop
echo "PASS"
