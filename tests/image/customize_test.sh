#!/usr/bin/env bash
# provisioning/customize-image on a synthetic Raspberry Pi OS-shaped image (no loop devices):
# the new files, their modes and the enablement symlinks read back with debugfs and mtools;
# every other file (FAT and ext4), the MBR and the input image unchanged; .img.xz in and out;
# broken images, binaries and configs refused with a clear message.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tool=$repo/provisioning/customize-image
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "customize_test: FAIL: $*"; exit 1; }
export MTOOLS_SKIP_CHECK=1

for t in sfdisk mkfs.vfat mcopy debugfs mkfs.ext4 xz dpkg-deb; do
  command -v "$t" > /dev/null || { echo "customize_test: SKIPPED: $t not installed (scripts/setup)"; exit 0; }
done

fat_off=$((8192 * 512)) root_off=$((73728 * 512))
"$here/make_rpios_image.sh" "$tmp/in.img"
in_sha=$(sha256sum < "$tmp/in.img")

# A small arm64 pifleet package (the real one comes from the aarch64 preset's deb target).
fake_deb() {  # fake_deb OUT ARCH
  local d; d=$(mktemp -d "$tmp/deb.XXXX")
  mkdir -p "$d/DEBIAN" "$d/usr/bin"
  printf 'Package: pifleet\nVersion: 0.1.0-1\nArchitecture: %s\nMaintainer: t <t@localhost>\nDescription: test\n' \
    "$2" > "$d/DEBIAN/control"
  head -c 50000 /dev/urandom > "$d/usr/bin/pifleet"
  dpkg-deb --root-owner-group -Zgzip --build "$d" "$1" > /dev/null
}
fake_deb "$tmp/pifleet.deb" arm64
fake_deb "$tmp/pifleet-amd64.deb" amd64
key=$(head -c 32 /dev/urandom | base64)
cat > "$tmp/pifleet.toml" <<EOF
cluster = "test"
seed = true
key = "$key"
[firstboot]
hostname = "pi-{serial}"
EOF

# Every file of both file systems, with mode, owner, link target and content hash.
manifest() {  # manifest IMG OUTFILE
  local d; d=$(mktemp -d "$tmp/m.XXXX")
  mkdir "$d/fat" "$d/root"
  mcopy -s -n -i "$1@@$fat_off" ::/ "$d/fat/" 2> /dev/null
  debugfs -R "rdump / $d/root" "$1?offset=$root_off" > /dev/null 2>&1
  (cd "$d" && find . -mindepth 2 \( -type f -printf '%p %m %U %G ' -exec sh -c 'sha256sum < "$1"' _ {} \; \) \
    -o \( -type l -printf '%p link %l\n' \) -o \( -type d -printf '%p dir %m\n' \) | sort) > "$2"
  rm -rf "$d"
}
manifest "$tmp/in.img" "$tmp/before"
[ "$(wc -l < "$tmp/before")" -ge 15 ] || fail "the synthetic image manifest is too short: $(cat "$tmp/before")"

check_output() {  # check_output IMG: the added files, modes, links; everything else unchanged
  local img=$1 root="$1?offset=$root_off"
  [ "$(head -c "$fat_off" "$img" | sha256sum)" = "$(head -c "$fat_off" "$tmp/in.img" | sha256sum)" ] \
    || fail "the MBR or the gap before partition 1 changed"
  mtype -i "$img@@$fat_off" ::/pifleet.toml > "$tmp/toml.back"
  cmp -s "$tmp/toml.back" "$tmp/pifleet.toml" || fail "pifleet.toml on the FAT partition differs"
  local entry path mode src
  for entry in "/var/cache/pifleet-install/pifleet_0.1.0-1_arm64.deb 0644 $tmp/pifleet.deb" \
      "/etc/systemd/system/pifleet-install.service 0644 $repo/provisioning/pifleet-install.service"; do
    read -r path mode src <<<"$entry"
    rm -f "$tmp/back"
    debugfs -R "dump $path $tmp/back" "$root" > /dev/null 2>&1
    cmp -s "$tmp/back" "$src" || fail "$path differs from $src"
    debugfs -R "stat $path" "$root" 2> /dev/null > "$tmp/stat"
    grep -q "Mode:  $mode" "$tmp/stat" || fail "$path: want mode $mode, got $(grep -o 'Mode: *[0-7]*' "$tmp/stat")"
    grep -q 'User:     0   Group:     0' "$tmp/stat" || fail "$path is not owned by root"
  done
  local unit=pifleet-install.service
  debugfs -R "stat /etc/systemd/system/multi-user.target.wants/$unit" "$root" > "$tmp/stat" 2> /dev/null
  grep -q "Fast link dest: \"/etc/systemd/system/$unit\"" "$tmp/stat" || fail "$unit is not enabled"
  e2fsck -fn "$root" > "$tmp/fsck" 2>&1 || fail "e2fsck after customisation: $(cat "$tmp/fsck")"
  manifest "$img" "$tmp/after"
  grep -vE '^\./(fat/pifleet\.toml|root/var/cache|root/etc/systemd/system/(pifleet|multi-user.target.wants/pifleet))' \
    "$tmp/after" > "$tmp/after.rest"
  cp "$tmp/before" "$tmp/before.rest"
  diff "$tmp/before.rest" "$tmp/after.rest" > "$tmp/diff" || fail "other files changed: $(cat "$tmp/diff")"
}

# 1. Plain image in, plain image out; the input is left alone.
"$tool" "$tmp/in.img" --config "$tmp/pifleet.toml" --deb "$tmp/pifleet.deb" --out "$tmp/out.img" > "$tmp/log" \
  || fail "customize-image failed: $(cat "$tmp/log")"
[ "$(sha256sum < "$tmp/in.img")" = "$in_sha" ] || fail "the input image was modified"
check_output "$tmp/out.img"
echo "customize_test: plain image ok"

# 2. Customising twice replaces the files (no duplicates, still consistent).
"$tool" "$tmp/out.img" --config "$tmp/pifleet.toml" --deb "$tmp/pifleet.deb" --out "$tmp/twice.img" > "$tmp/log" \
  || fail "second customisation failed: $(cat "$tmp/log")"
check_output "$tmp/twice.img"
echo "customize_test: re-customising ok"

# 3. .img.xz in and .img.xz out.
xz -T1 -0 -k -c "$tmp/in.img" > "$tmp/in.img.xz"
"$tool" "$tmp/in.img.xz" --config "$tmp/pifleet.toml" --deb "$tmp/pifleet.deb" --out "$tmp/out.img.xz" > "$tmp/log" \
  || fail "customize-image .xz failed: $(cat "$tmp/log")"
xz -t "$tmp/out.img.xz" || fail "output is not valid xz"
xz -dc "$tmp/out.img.xz" > "$tmp/out-xz.img"
check_output "$tmp/out-xz.img"
echo "customize_test: .img.xz in and out ok"

# 4. Refusals: exit code and a clear message, and no output file.
expect_refusal() {  # expect_refusal CODE PATTERN ARGS...
  local code=$1 pattern=$2 rc=0; shift 2
  rm -f "$tmp/refused.img"
  "$tool" "$@" --out "$tmp/refused.img" > /dev/null 2> "$tmp/err" || rc=$?
  [ "$rc" -eq "$code" ] || fail "want exit $code for '$pattern', got $rc: $(cat "$tmp/err")"
  grep -q "$pattern" "$tmp/err" || fail "want '$pattern' in: $(cat "$tmp/err")"
  [ ! -e "$tmp/refused.img" ] || fail "an output was written for '$pattern'"
  [ -z "$(find "$tmp" -maxdepth 1 -name '.customize-image.*')" ] || fail "work dir left behind"
}
ok_args=(--config "$tmp/pifleet.toml" --deb "$tmp/pifleet.deb")
head -c 1048576 /dev/urandom > "$tmp/garbage.img"
expect_refusal 1 'no readable partition table\|not an MBR' "$tmp/garbage.img" "${ok_args[@]}"
head -c $((root_off + 4096)) "$tmp/in.img" > "$tmp/truncated.img"
expect_refusal 1 'truncated' "$tmp/truncated.img" "${ok_args[@]}"
cp "$tmp/in.img" "$tmp/noext4.img"
dd if=/dev/zero of="$tmp/noext4.img" bs=1M seek=$((root_off / 1048576)) count=4 conv=notrunc status=none
expect_refusal 1 'not an ext4 root file system' "$tmp/noext4.img" "${ok_args[@]}"
cp "$tmp/in.img" "$tmp/nofat.img"
dd if=/dev/zero of="$tmp/nofat.img" bs=1M seek=$((fat_off / 1048576)) count=1 conv=notrunc status=none
expect_refusal 1 'not a Raspberry Pi boot partition' "$tmp/nofat.img" "${ok_args[@]}"
printf 'not xz' > "$tmp/bad.img.xz"
expect_refusal 1 'not a valid .xz' "$tmp/bad.img.xz" "${ok_args[@]}"
expect_refusal 1 'not an arm64 pifleet package' "$tmp/in.img" --config "$tmp/pifleet.toml" --deb /bin/sh
expect_refusal 1 'not an arm64 pifleet package' "$tmp/in.img" --config "$tmp/pifleet.toml" --deb "$tmp/pifleet-amd64.deb"
printf 'cluster = "x"\nkey = "short"\n' > "$tmp/badkey.toml"
expect_refusal 2 'key is not a pifleet key' "$tmp/in.img" --config "$tmp/badkey.toml" --deb "$tmp/pifleet.deb"
expect_refusal 2 'is required' "$tmp/in.img" --deb "$tmp/pifleet.deb"
echo "customize_test: refusals ok"
echo "customize_test: ok"
