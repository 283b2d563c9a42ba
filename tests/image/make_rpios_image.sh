#!/usr/bin/env bash
# Builds a small image shaped like Raspberry Pi OS bookworm, without loop devices: MBR, p1 FAT
# "bootfs" at 4 MiB, p2 ext4 "rootfs" with the usual tree (systemd dirs, an enabled unit, a
# symlink, a 0640 file, /usr/local/bin but no /usr/local/sbin).
# Usage: make_rpios_image.sh OUT.img
set -euo pipefail
out=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

fat_start=8192 fat_sectors=65536          # 4 MiB, 32 MiB
root_start=$((fat_start + fat_sectors)) root_sectors=98304   # 48 MiB
rm -f "$out"
truncate -s $(((root_start + root_sectors) * 512)) "$out"
sfdisk -q "$out" <<EOF
label: dos
label-id: 0x5e3da3b2
start=$fat_start, size=$fat_sectors, type=c
start=$root_start, size=$root_sectors, type=83
EOF

# mkfs.fat warns that the file is larger than the file system and that the label is lowercase.
mkfs.vfat -n bootfs --offset "$fat_start" "$out" $((fat_sectors / 2)) > "$tmp/mkfs.log" 2>&1 \
  || { cat "$tmp/mkfs.log" >&2; exit 1; }
boot=$tmp/boot
mkdir -p "$boot/overlays"
printf 'dtparam=audio=on\ncamera_auto_detect=1\n[pi4]\narm_boost=1\n[all]\n' > "$boot/config.txt"
printf 'console=serial0,115200 console=tty1 root=PARTUUID=5e3da3b2-02 rootfstype=ext4 fsck.repair=yes rootwait\n' > "$boot/cmdline.txt"
head -c 70000 /dev/urandom > "$boot/start4.elf"
head -c 3000 /dev/urandom > "$boot/bcm2711-rpi-4-b.dtb"
printf 'overlays\n' > "$boot/overlays/README"
MTOOLS_SKIP_CHECK=1 mcopy -s -i "$out@@$((fat_start * 512))" "$boot"/* ::/

root=$tmp/root
mkdir -p "$root"/{etc/systemd/system/multi-user.target.wants,usr/bin,usr/lib/systemd/system} \
  "$root"/{usr/local/bin,home/pi,var/lib,boot/firmware,root}
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' > "$root/etc/os-release"
printf 'raspberrypi\n' > "$root/etc/hostname"
printf 'root:*:19000:0:99999:7:::\n' > "$root/etc/shadow"; chmod 0640 "$root/etc/shadow"
head -c 200000 /dev/urandom > "$root/usr/bin/bash"; chmod 0755 "$root/usr/bin/bash"
printf '[Unit]\nDescription=OpenBSD Secure Shell server\n' > "$root/usr/lib/systemd/system/ssh.service"
ln -s /usr/lib/systemd/system/ssh.service "$root/etc/systemd/system/multi-user.target.wants/ssh.service"
printf 'alias ll="ls -l"\n' > "$root/home/pi/.bashrc"
mkfs.ext4 -q -F -L rootfs -d "$root" -E offset=$((root_start * 512)) "$out" $((root_sectors / 2))k
