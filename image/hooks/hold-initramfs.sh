#!/bin/sh
# mmdebstrap --essential-hook: until the end of the build, update-initramfs is a no-op. Every
# kernel, firmware and udev install would otherwise run mkinitramfs (about 12 minutes each
# under qemu-user); customize.sh runs it once, at the end, with a small module list.
set -eu
root=$1
chroot "$root" dpkg-divert --quiet --local --rename \
  --divert /usr/sbin/update-initramfs.pifleet-held --add /usr/sbin/update-initramfs
printf '#!/bin/sh\necho "update-initramfs: held by image/build until the end of the build"\n' \
  > "$root/usr/sbin/update-initramfs"
chmod 0755 "$root/usr/sbin/update-initramfs"
