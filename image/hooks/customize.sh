#!/bin/sh
# mmdebstrap --customize-hook: the image's own files and settings (pifleet itself came in as
# a package, through mmdebstrap --include), then
# runs mkinitramfs once (raspi-firmware's hook then copies kernel, initrd and DTBs to
# /boot/firmware and writes config.txt and cmdline.txt from /etc/default/raspi-*).
# Environment (from image/build): PIFLEET_REPO, PIFLEET_MANIFEST.
set -eu
root=$1
files=$PIFLEET_REPO/image/files
stage() { echo "image/build: [hook] $*"; }

stage "image units: root grow, SSH host keys (pifleet's own units come with its package)"
[ -x "$root/usr/bin/pifleet" ] && [ -e "$root/lib/systemd/system/pifleet.service" ] \
  || { echo "image/build: the pifleet package is not installed in the root" >&2; exit 1; }
install -m 0755 "$files/pifleet-growroot" "$root/usr/local/sbin/pifleet-growroot"
for unit in "$files/pifleet-growroot.service" "$files/pifleet-ssh-keygen.service"; do
  install -m 0644 "$unit" "$root/etc/systemd/system/"
done
install -d -m 0755 "$root/boot/firmware"

stage "raspi-firmware settings, fstab, network, hostname"
install -m 0644 "$files/raspi-firmware" "$root/etc/default/raspi-firmware"
install -m 0644 "$files/raspi-firmware-custom" "$root/etc/default/raspi-firmware-custom"
install -m 0644 "$files/raspi-extra-cmdline" "$root/etc/default/raspi-extra-cmdline"
printf 'LABEL=RASPIROOT / ext4 rw,noatime 0 1\nLABEL=RASPIFIRM /boot/firmware vfat rw,noatime,umask=0077 0 2\n' \
  > "$root/etc/fstab"
install -m 0644 "$files/20-wired.network" "$files/30-wireless.network" "$root/etc/systemd/network/"
echo pifleet > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tpifleet\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
# pifleet.service and pifleet-firstboot.service were enabled by the package's postinst.
chroot "$root" systemctl enable --quiet systemd-networkd systemd-timesyncd \
  pifleet-growroot.service pifleet-ssh-keygen.service
# Each card makes its own identity on first boot.
rm -f "$root"/etc/ssh/ssh_host_*
echo uninitialized > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
# No password logins: SSH keys come from pifleet.toml ([firstboot] ssh_authorized_key).
chroot "$root" passwd --lock root > /dev/null

stage "package manifest"
chroot "$root" dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\n' > "$PIFLEET_MANIFEST"

stage "mkinitramfs, once, MODULES=list (image/files/initramfs-modules)"
sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
install -m 0644 "$files/initramfs-modules" "$root/etc/initramfs-tools/modules"
rm -f "$root/usr/sbin/update-initramfs"
chroot "$root" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
start=$(date +%s)
for kernel in "$root"/boot/vmlinuz-*; do
  version=${kernel##*/vmlinuz-}
  chroot "$root" update-initramfs -c -k "$version"
done
stage "mkinitramfs took $(($(date +%s) - start)) s"
[ -e "$root"/boot/firmware/config.txt ] && ls "$root"/boot/firmware/initrd.img-* > /dev/null \
  || { echo "image/build: raspi-firmware did not populate /boot/firmware" >&2; exit 1; }
