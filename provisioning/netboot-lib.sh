# shellcheck shell=bash
# Sourced by pifleet-netboot: the netboot root directory (--root DIR) and what fills it.
#   DIR/base/boot/      files of the image's FAT partition (mcopy; never mounted)
#   DIR/base/root/      the image's ext4 root (debugfs rdump; never mounted)
#   DIR/base/image.id   which image base/ came from (path, size, mtime)
#   DIR/template.toml   pifleet.toml every new node starts from (role forced to learner)
#   DIR/serve.conf      settings of the last `serve` (server address, NFS mode, hostname pattern)
#   DIR/tftp/           TFTP root: bootcode.bin (Pi 3) and one directory per enrolled serial
#   DIR/nodes/SERIAL/   hostname, enrolled, first_boot, last_boot, mac, ip (one value per file)
#                       and root/, the node's own NFS root (its identity, keys and data dir)
#   DIR/run/            dnsmasq and NFS server config, logs
# Needs: die, say (from the caller).

# The boot files a Raspberry Pi image must have on its FAT partition (any one board's set).
NB_PI_MARKERS="start4.elf start.elf bootcode.bin"

nb_image_id() { stat -c '%n %s %Y' "$(readlink -f "$1")"; }

# nb_prepare_base IMAGE DIR: fills DIR/base from IMAGE unless it already came from IMAGE.
nb_prepare_base() {
  local image=$1 dir=$2 base=$2/base work table fat_start root_start fat_type root_type id
  id=$(nb_image_id "$image")
  if [ -r "$base/image.id" ] && [ "$(cat "$base/image.id")" = "$id" ] && [ -d "$base/root" ]; then
    say "image unchanged since the last serve; reusing $base"
    return 0
  fi
  # (a die on the way leaves it to the caller's EXIT trap: rm -rf DIR/.prepare.*)
  work=$(mktemp -d "$dir/.prepare.XXXXXX") || die "cannot create a work dir in $dir"
  local img=$work/disk.img
  case "$image" in
    *.xz) say "[1/4] decompressing $image"
          xz -dc "$image" > "$img" 2> "$work/xz.log" || die "$image is not a valid .xz file" ;;
    *) img=$image ;;
  esac
  say "[2/4] reading the partition table"
  table=$(sfdisk -d "$img" 2>/dev/null) || die "$image is not a Raspberry Pi image: no partition table"
  grep -qx 'label: dos' <<<"$table" || die "$image is not a Raspberry Pi image: not an MBR (dos) disk"
  fat_start=$(nb_part_field "$table" 1 start) fat_type=$(nb_part_field "$table" 1 type)
  root_start=$(nb_part_field "$table" 2 start) root_type=$(nb_part_field "$table" 2 type)
  [ -n "$fat_start" ] && [ -n "$root_start" ] \
    || die "$image is not a Raspberry Pi image: it needs partition 1 FAT (boot) and 2 ext4 (root)"
  case "$fat_type" in b|c|e|6) ;; *) die "$image is not a Raspberry Pi image: partition 1 is type $fat_type, not FAT" ;; esac
  [ "$root_type" = 83 ] || die "$image is not a Raspberry Pi image: partition 2 is type $root_type, not Linux"
  local fat="$img@@$((fat_start * 512))" root="$img?offset=$((root_start * 512))"
  export MTOOLS_SKIP_CHECK=1
  mdir -i "$fat" ::/config.txt > /dev/null 2>&1 \
    || die "$image is not a Raspberry Pi image: its FAT partition has no config.txt"
  local marker found=""
  for marker in $NB_PI_MARKERS; do
    if mdir -i "$fat" "::/$marker" > /dev/null 2>&1; then found=$marker; fi
  done
  [ -n "$found" ] || die "$image is not a Raspberry Pi image: its FAT partition has none of: $NB_PI_MARKERS"
  mdir -i "$fat" ::/cmdline.txt > /dev/null 2>&1 \
    || die "$image is not a Raspberry Pi image: its FAT partition has no cmdline.txt"
  grep -q 'Type: directory' <<<"$(debugfs -R 'stat /etc' "$root" 2>/dev/null || true)" \
    || die "$image is not a Raspberry Pi image: partition 2 is not an ext4 root with /etc"

  say "[3/4] copying the boot partition (firmware, kernel, initramfs, device trees, overlays)"
  mkdir -p "$work/boot" "$work/root"
  mcopy -s -p -n -i "$fat" '::/*' "$work/boot/" 2> "$work/mcopy.log" \
    || die "cannot read the FAT partition of $image: $(tail -n 2 "$work/mcopy.log")"
  say "[4/4] copying the root file system ($(nb_part_field "$table" 2 size) sectors; takes a while for a full image)"
  debugfs -R "rdump / $work/root" "$root" > "$work/rdump.log" 2>&1 \
    || die "cannot read the ext4 root of $image: $(tail -n 2 "$work/rdump.log")"
  grep -v '^debugfs ' "$work/rdump.log" | grep -q . \
    && say "debugfs: $(grep -v '^debugfs ' "$work/rdump.log" | head -n 3 | tr '\n' ' ')"
  [ -d "$work/root/etc" ] || die "the root of $image came out empty (debugfs: $(tail -n 2 "$work/rdump.log"))"
  # pifleet.toml may hold the cluster key: it never goes into the TFTP tree.
  if [ -f "$work/boot/pifleet.toml" ]; then mv "$work/boot/pifleet.toml" "$work/image-pifleet.toml"; fi
  rm -rf "$base.old"
  if [ -d "$base" ]; then mv "$base" "$base.old"; fi
  mkdir -p "$base"
  mv "$work/boot" "$work/root" "$base/"
  if [ -f "$work/image-pifleet.toml" ]; then mv "$work/image-pifleet.toml" "$base/pifleet.toml"; fi
  rm -rf "$base.old" "$work"
  printf '%s\n' "$id" > "$base/image.id"
}

nb_part_field() {  # nb_part_field TABLE N start|size|type
  sed -n "s/^[^ ]*$2 *:.*[ ,]$3= *\\([0-9a-fA-F]*\\).*/\\1/p" <<<"$1"
}

# nb_cmdline DIR SERIAL: the image's cmdline.txt with the root pointed at this server's NFS.
nb_cmdline() {
  local dir=$1 serial=$2 word out="" words server_ip=""
  # shellcheck disable=SC1091
  . "$dir/serve.conf"
  read -r -a words < "$dir/base/boot/cmdline.txt" || true
  for word in "${words[@]}"; do
    case "$word" in
      root=*|rootfstype=*|rootwait|init=*|fsck.repair=*|ro|rw|ip=*|nfsroot=*|systemd.run*) ;;
      resize|quiet|splash|plymouth.*) ;;
      *) out="$out$word " ;;
    esac
  done
  # noacl: the NFSv3 client sets POSIX ACLs through the side protocol NFSACL, which
  # nfs-ganesha fails ("Bad xdr_free for NFSACL_SETACL"): every ACL a boot sets (tmpfiles on
  # the journal, systemd's StateDirectory=, sed -i) was an EIO. With noacl it is EOPNOTSUPP,
  # which they all skip. Seen in tests/netboot/qemu_root_test.sh.
  printf '%sroot=/dev/nfs nfsroot=%s:%s,vers=3,tcp,noacl ip=dhcp rw rootwait\n' \
    "$out" "$server_ip" "$(readlink -f "$dir")/nodes/$serial/root"
}

# nb_make_tftp_dir DIR SERIAL: DIR/tftp/SERIAL from base/boot (hard links: no space per Pi)
# with this node's cmdline.txt; replaced in one rename, so a Pi never sees half a directory.
nb_make_tftp_dir() {
  local dir=$1 serial=$2 tmp=$1/tftp/.$2.new
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp -al "$dir/base/boot/." "$tmp/"
  rm -f "$tmp/cmdline.txt" "$tmp/config.txt" "$tmp/bootcode.bin"
  cp "$dir/base/boot/config.txt" "$tmp/config.txt"
  nb_cmdline "$dir" "$serial" > "$tmp/cmdline.txt"
  chmod -R a+rX "$tmp"
  rm -rf "$dir/tftp/.$serial.old"
  if [ -e "$dir/tftp/$serial" ]; then mv "$dir/tftp/$serial" "$dir/tftp/.$serial.old"; fi
  mv "$tmp" "$dir/tftp/$serial"
  rm -rf "$dir/tftp/.$serial.old"
}

# nb_node_config TEMPLATE HOSTNAME: pifleet.toml for a new node: joins as a learner, never
# seeds, named HOSTNAME. Top-level role/seed lines are replaced (or added before the first table).
nb_node_config() {
  awk -v host="$2" '
    BEGIN { top = 1; done_top = 0; in_fb = 0; done_host = 0 }
    function top_keys() { if (!done_top) { print "role = \"learner\"  # pifleet netboot"; print "seed = false"; done_top = 1 } }
    /^[ \t]*\[/ {
      top_keys()
      if (in_fb && !done_host) { print "hostname = \"" host "\""; done_host = 1 }
      in_fb = ($0 ~ /^[ \t]*\[firstboot\][ \t]*(#.*)?$/)
      top = 0; print; next
    }
    top && /^[ \t]*(role|seed)[ \t]*=/ { next }
    in_fb && /^[ \t]*hostname[ \t]*=/ { print "hostname = \"" host "\""; done_host = 1; next }
    { print }
    END {
      top_keys()
      if (in_fb && !done_host) { print "hostname = \"" host "\""; done_host = 1 }
      if (!done_host) { print ""; print "[firstboot]"; print "hostname = \"" host "\"" }
    }' "$1"
}

# nb_make_root DIR SERIAL HOSTNAME: the node's own writable root, a copy of base/root with its
# own identity: hostname, pifleet.toml (learner), fresh SSH host keys, an uninitialised
# machine-id (systemd makes one on the first boot and keeps it, the root being writable).
nb_make_root() {
  local dir=$1 serial=$2 host=$3 node=$1/nodes/$2 tmp=$1/nodes/$2/root.new
  rm -rf "$tmp"
  cp -a --reflink=auto "$dir/base/root" "$tmp"
  mkdir -p "$tmp/boot/firmware" "$tmp/etc/ssh"
  nb_node_config "$dir/template.toml" "$host" > "$tmp/boot/firmware/pifleet.toml"
  chmod 0600 "$tmp/boot/firmware/pifleet.toml"
  printf '%s\n' "$host" > "$tmp/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
    "$host" > "$tmp/etc/hosts"
  # The root comes over NFS from the initramfs; the card's partitions do not exist here.
  printf '# pifleet netboot: / is NFS (mounted by the initramfs); no SD card partitions.\n' \
    > "$tmp/etc/fstab"
  # systemd-networkd must not drop the address the NFS root runs over.
  mkdir -p "$tmp/etc/systemd/network/20-wired.network.d"
  printf '[Network]\nKeepConfiguration=yes\n' \
    > "$tmp/etc/systemd/network/20-wired.network.d/netboot.conf"
  printf 'uninitialized\n' > "$tmp/etc/machine-id"
  # The pifleet image grows its SD card's root partition once; an NFS root has none.
  mkdir -p "$tmp/var/lib/pifleet-growroot"
  : > "$tmp/var/lib/pifleet-growroot/done"
  rm -f "$tmp"/etc/ssh/ssh_host_*
  if command -v ssh-keygen > /dev/null; then
    ssh-keygen -A -f "$tmp" > /dev/null 2>&1 || say "warning: ssh-keygen failed; the node makes its own keys"
  fi
  mv "$tmp" "$node/root"
}

nb_check_serial() {
  [[ "$1" =~ ^[0-9a-f]{8}$ ]] || usage_error "SERIAL must be 8 hex digits as the Pi requests it (e.g. 9ffefdef), not '$1'"
}

# nb_enroll DIR SERIAL [HOSTNAME]: a new node: its TFTP directory (the Pi retries within
# seconds), then its root (which the kernel needs only after firmware and kernel loaded).
nb_enroll() {
  nb_enroll_tftp "$@"
  nb_enroll_root "$1" "$2"
}

nb_enroll_tftp() {
  local dir=$1 serial=$2 host=${3:-} node=$1/nodes/$2
  [ -r "$dir/serve.conf" ] && [ -d "$dir/base/boot" ] \
    || die "$dir is not prepared: run 'pifleet netboot serve' on it first (it unpacks the image)"
  # shellcheck disable=SC1091
  . "$dir/serve.conf"
  # shellcheck disable=SC2154  # from serve.conf
  [ -n "$host" ] || host=${hostname_pattern//\{serial\}/$serial}
  [[ "$host" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] \
    || usage_error "hostname '$host' is not a valid host name (a-z, 0-9, '-', at most 63)"
  mkdir -p "$dir/nodes"
  mkdir "$node" 2>/dev/null || die "serial $serial is already enrolled ($node)"
  printf '%s\n' "$host" > "$node/hostname"
  date +%s > "$node/enrolled"
  nb_make_tftp_dir "$dir" "$serial"
  say "enrolled $serial as $host: TFTP $dir/tftp/$serial"
}

# nb_enroll_root DIR SERIAL: the node's root, unless it has one or the image has none.
nb_enroll_root() {
  local dir=$1 serial=$2
  [ -d "$dir/base/root" ] && [ ! -d "$dir/nodes/$serial/root" ] || return 0
  say "copying the root for $serial"
  nb_make_root "$dir" "$serial" "$(cat "$dir/nodes/$serial/hostname")"
  say "root for $serial ready: $dir/nodes/$serial/root"
}

nb_remove() {
  local dir=$1 serial=$2
  [ -d "$dir/nodes/$serial" ] || die "serial $serial is not enrolled in $dir"
  rm -rf "$dir/tftp/$serial" "$dir/nodes/$serial"
  say "removed $serial (its TFTP directory and root)"
}
