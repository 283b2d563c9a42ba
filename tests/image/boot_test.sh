#!/usr/bin/env bash
# Slow suite (label image-slow): builds the full SD-card image with image/build (or checks one
# given in PIFLEET_IMAGE_DIR), checks its outputs and the FAT partition raspi-firmware wrote,
# puts a seed pifleet.toml on the FAT partition as a user would, then boots the image in
# qemu-system-aarch64 -M virt (its own kernel and initrd, root on partition 2). Passes when
# systemd reports pifleet.service started (Type=notify: after READY=1), the agent answers
# `pifleet status` through a UDP port forwarded to 127.0.0.1 as the leader of a one-node
# cluster, the root grew, and the key was blanked on the FAT partition.
# Usage: boot_test.sh HOST_PIFLEET   (the host build, used as the client)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
client=${1:?usage: boot_test.sh HOST_PIFLEET}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/image-boot.XXXXXX")
qemu_pid=""
cleanup() {
  [ -z "$qemu_pid" ] || kill "$qemu_pid" 2> /dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "boot_test: FAIL: $*"
  [ ! -f "$tmp/console.log" ] || { echo "--- last 40 console lines"; tail -n 40 "$tmp/console.log"; }
  exit 1
}
skip() { echo "boot_test: SKIPPED: $*"; exit 0; }
export MTOOLS_SKIP_CHECK=1

[ "$(id -u)" -eq 0 ] || skip "image/build needs root"
command -v qemu-system-aarch64 > /dev/null || skip "qemu-system-aarch64 not installed (scripts/setup)"
# The agent in the image: the aarch64 preset's package unless PIFLEET_AARCH64_DEB names one.
version=$(sed -n 's/^project(pifleet VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")
deb=${PIFLEET_AARCH64_DEB:-$repo/build/aarch64/pifleet_$version-1_arm64.deb}
[ -r "$deb" ] || [ -n "${PIFLEET_IMAGE_DIR:-}" ] \
  || skip "no arm64 pifleet package at $deb (cmake --build --preset aarch64 --target deb first)"

# 1. The image.
dir=${PIFLEET_IMAGE_DIR:-$tmp/out}
if [ -z "${PIFLEET_IMAGE_DIR:-}" ]; then
  start=$(date +%s)
  "$repo/image/build" --out "$dir" --deb "$deb" || fail "image/build failed"
  echo "boot_test: image/build took $(($(date +%s) - start)) s"
fi
xz_file=$(ls "$dir"/pifleet-*-arm64.img.xz 2> /dev/null | head -n 1)
[ -n "$xz_file" ] || fail "no pifleet-*-arm64.img.xz in $dir"
base=${xz_file%.img.xz}
(cd "$dir" && sha256sum -c --quiet "$(basename "$base").sha256") || fail ".sha256 does not match"
for pkg in linux-image-arm64 raspi-firmware firmware-brcm80211 systemd openssh-server pifleet; do
  grep -q "^$pkg	" "$base.manifest" || fail "$pkg missing from the manifest"
done
xz -dc "$xz_file" > "$tmp/disk.img"
grep -q "<ImageSize> *$(stat -c %s "$tmp/disk.img") *</ImageSize>" "$base.bmap" || fail "the .bmap does not describe the image"

# 2. What raspi-firmware put on the FAT partition for the boards.
fat="$tmp/disk.img@@$((4 * 1024 * 1024))"
mdir -b -i "$fat" ::/ > "$tmp/fat.list"
for f in bootcode.bin start4.elf fixup4.dat bcm2711-rpi-4-b.dtb bcm2711-rpi-400.dtb bcm2711-rpi-cm4-io.dtb \
    bcm2837-rpi-3-b.dtb bcm2837-rpi-3-b-plus.dtb bcm2837-rpi-zero-2-w.dtb config.txt cmdline.txt pifleet.toml; do
  grep -q "^::/$f$" "$tmp/fat.list" || fail "$f missing on the FAT partition: $(cat "$tmp/fat.list")"
done
mtype -i "$fat" ::/config.txt > "$tmp/config.txt"
mtype -i "$fat" ::/cmdline.txt > "$tmp/cmdline.txt"
grep -q '^arm_64bit=1' "$tmp/config.txt" && grep -q '^kernel=vmlinuz-' "$tmp/config.txt" \
  && grep -q '^initramfs initrd.img-' "$tmp/config.txt" && grep -q '^disable_splash=1' "$tmp/config.txt" \
  || fail "config.txt: $(cat "$tmp/config.txt")"
grep -q 'console=ttyS1,115200' "$tmp/cmdline.txt" && grep -q 'root=LABEL=RASPIROOT' "$tmp/cmdline.txt" \
  && ! grep -q 'cma=' "$tmp/cmdline.txt" || fail "cmdline.txt: $(cat "$tmp/cmdline.txt")"
kernel=$(grep -o '^::/vmlinuz-.*' "$tmp/fat.list" | head -n 1)
initrd=$(grep -o '^::/initrd.img-.*' "$tmp/fat.list" | head -n 1)
mcopy -i "$fat" "$kernel" "$tmp/vmlinuz"
mcopy -i "$fat" "$initrd" "$tmp/initrd"
echo "boot_test: image outputs and FAT partition ok ($(du -h "$xz_file" | cut -f1) compressed, initrd $(du -h "$tmp/initrd" | cut -f1))"

# 3. A seed node's pifleet.toml, written onto the card as a user would.
key=$(head -c 32 /dev/urandom | base64)
printf '%s\n' "$key" > "$tmp/cluster.key"
cat > "$tmp/pifleet.toml" <<EOF
cluster = "qemu"
seed = true
listen = "0.0.0.0:7101"
key = "$key"
[firstboot]
hostname = "node-{serial}"
EOF
mcopy -o -i "$fat" "$tmp/pifleet.toml" ::/pifleet.toml
truncate -s +512M "$tmp/disk.img"  # a bigger card: the root must grow into it

# 4. Boot.
port=$((20000 + RANDOM % 20000))
: > "$tmp/console.log"
start=$(date +%s)
qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 1024 -display none -monitor none \
  -serial "file:$tmp/console.log" -no-reboot \
  -kernel "$tmp/vmlinuz" -initrd "$tmp/initrd" \
  -append "root=/dev/vda2 rw console=ttyAMA0 panic=-1 systemd.show_status=1 systemd.journald.forward_to_console=1" \
  -drive "file=$tmp/disk.img,if=virtio,format=raw" \
  -netdev "user,id=n0,hostfwd=udp:127.0.0.1:$port-:7101" -device virtio-net-pci,netdev=n0,romfile= &
qemu_pid=$!
deadline=$((start + ${PIFLEET_BOOT_TIMEOUT_S:-900}))
ready="" answered=""
while [ "$(date +%s)" -lt "$deadline" ] && { [ -z "$ready" ] || [ -z "$answered" ]; }; do
  kill -0 "$qemu_pid" 2> /dev/null || fail "qemu exited"
  # systemd colours the unit name: strip the escapes before matching.
  sed 's/\x1b\[[0-9;]*m//g' "$tmp/console.log" > "$tmp/console.txt"
  if [ -z "$ready" ] && grep -aq 'Started pifleet.service' "$tmp/console.txt"; then
    ready=$(($(date +%s) - start))
    echo "boot_test: pifleet.service started (READY=1) $ready s after qemu started"
  fi
  grep -aq 'Failed to start pifleet' "$tmp/console.txt" && fail "a pifleet unit failed"
  if [ -z "$answered" ] && "$client" --endpoints "127.0.0.1:$port" --key-file "$tmp/cluster.key" --cluster qemu \
      status --json > "$tmp/status.json" 2> "$tmp/status.err" && grep -q '"role":"leader"' "$tmp/status.json"; then
    answered=$(($(date +%s) - start))
    echo "boot_test: leader of a one-node cluster over UDP $answered s after qemu started: $(cat "$tmp/status.json")"
  fi
  sleep 5
done
[ -n "$answered" ] || fail "the agent did not answer as leader over UDP: $(cat "$tmp/status.json" "$tmp/status.err" 2> /dev/null)"
[ -n "$ready" ] || fail "the agent answers as leader but systemd never saw READY=1 (pifleet.service still starting)"
grep -aq 'pifleet-growroot: root file system now' "$tmp/console.txt" || fail "growroot did not run"
kill "$qemu_pid"; wait "$qemu_pid" 2> /dev/null || true; qemu_pid=""

# 5. After the boot: the key is gone from the FAT partition, the root grew.
mtype -i "$fat" ::/pifleet.toml > "$tmp/fat-after.toml"
grep -qx 'key = ""' "$tmp/fat-after.toml" || fail "the key was not blanked on the FAT partition"
! grep -qF "$key" "$tmp/fat-after.toml" || fail "the key is still on the FAT partition"
blocks=$(dumpe2fs -h "$tmp/disk.img?offset=$((512 * 1024 * 1024))" 2> /dev/null | sed -n 's/^Block count: *//p')
block_size=$(dumpe2fs -h "$tmp/disk.img?offset=$((512 * 1024 * 1024))" 2> /dev/null | sed -n 's/^Block size: *//p')
[ $((blocks * block_size)) -gt $((2048 * 1024 * 1024 - 512 * 1024 * 1024)) ] \
  || fail "the root file system did not grow ($((blocks * block_size)) bytes)"
echo "boot_test: ok"
