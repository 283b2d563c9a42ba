#!/usr/bin/env bash
# The .deb in a Debian bookworm chroot made by mmdebstrap (systemd, kmod, man-db and the package's
# Depends included; the root tarball is cached in build/cache/, so only the first run needs the
# Debian archive):
#   install  dpkg -i: the pifleet user exists (systemd-sysusers), /var/lib/pifleet is 0700
#            root, both units pass systemd-analyze verify, pifleet --version runs, man finds
#            pifleet(1), and without a cluster key postinst does not start the agent;
#   upgrade  dpkg -i of the same package over an edited config and a key: the config and the
#            data dir are kept, and the agent is restarted (a key exists now);
#   purge    dpkg --purge: the data dir and /etc/pifleet are gone, the user stays.
# Exit codes: 0 ok, 1 a check failed, 77 skipped (not root, or no cached chroot and no
# route to deb.debian.org).
# Usage: chroot_test.sh PACKAGE.deb ARCH
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
deb=${1:?usage: chroot_test.sh PACKAGE.deb ARCH}
arch=${2:?usage: chroot_test.sh PACKAGE.deb ARCH}
suite=bookworm mirror=${PIFLEET_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The package's own Depends go into the chroot as well (the first of each alternative, without
# versions), as `apt install ./pifleet_*.deb` would fetch them, so that dpkg -i finds them.
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/[[:space:]]//g' |
  grep -v '^$' | sort -u | paste -sd, - || true)
include=systemd,kmod,man-db${depends:+,$depends}
cache_dir=$repo/build/cache
cache=$cache_dir/chroot-$suite-$arch-${include//,/-}.tar
fail() { echo "chroot_test: FAIL: $*"; exit 1; }
skip() { echo "chroot_test: SKIPPED: $*"; exit 77; }

[ -r "$deb" ] || fail "no package at $deb (build it: cmake --build --preset <release|aarch64> --target deb)"
[ "$(id -u)" -eq 0 ] || skip "needs root (chroot, dpkg -i as root)"
start=$(date +%s)

# 1. The cached chroot, made once.
if [ ! -s "$cache" ]; then
  command -v mmdebstrap > /dev/null || skip "mmdebstrap not installed (scripts/setup)"
  host=${mirror#*://}; host=${host%%/*}
  timeout 10 bash -c "exec 3<>/dev/tcp/$host/80" 2> /dev/null \
    || skip "no cached chroot ($cache) and $host is unreachable"
  if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    arch-test "$arch" > /dev/null 2>&1 || skip "this host cannot run $arch binaries (qemu-user binfmt: scripts/setup)"
  fi
  mkdir -p "$cache_dir"
  echo "chroot_test: making the $suite $arch chroot with mmdebstrap (cached in $cache)"
  mmdebstrap --quiet --variant=apt --format=tar --architectures="$arch" --include="$include" \
    --aptopt='APT::Install-Recommends "false"' "$suite" "$cache.new" "$mirror" \
    > "$cache.log" 2>&1 || { tail -n 20 "$cache.log"; fail "mmdebstrap failed (log: $cache.log)"; }
  mv "$cache.new" "$cache"
  echo "chroot_test: chroot made in $(($(date +%s) - start)) s"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pifleet-chroot.XXXXXX")
root=$tmp/root
mounted=""
cleanup() {
  [ -z "$mounted" ] || umount "$root/proc" 2> /dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$root"
tar -C "$root" -xf "$cache"
mount -t proc proc "$root/proc" && mounted=1
cp "$deb" "$root/tmp/pifleet.deb"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# As if systemd ran (postinst checks /run/systemd/system): deb-systemd-invoke, which starts and
# restarts units, only logs what postinst asked of it, so "started or not" is visible. (The
# real systemctl stays: deb-systemd-helper enables units with it; its daemon-reload fails here,
# which postinst ignores, as debhelper's snippets do.)
mkdir -p "$root/run/systemd/system"
printf '#!/bin/sh\necho "deb-systemd-invoke $*" >> /tmp/invoked\n' > "$root/usr/local/sbin/deb-systemd-invoke"
chmod 0755 "$root/usr/local/sbin/deb-systemd-invoke"

# 2. Install.
in_root dpkg -i /tmp/pifleet.deb > "$tmp/install.log" 2>&1 || fail "dpkg -i failed: $(cat "$tmp/install.log")"
in_root getent passwd pifleet > "$tmp/passwd" || fail "no pifleet user after install"
IFS=: read -r _ _ uid _ _ home shell < "$tmp/passwd"
if [ "$uid" -ge 1000 ] || [ "$home" != /nonexistent ] || [ "$shell" != /usr/sbin/nologin ]; then
  fail "pifleet is not a system user without a login: $(cat "$tmp/passwd")"
fi
[ "$(stat -c '%a %U %G' "$root/var/lib/pifleet")" = "700 root root" ] \
  || fail "/var/lib/pifleet is $(stat -c '%a %U %G' "$root/var/lib/pifleet"), want 700 root root"
in_root pifleet --version > "$tmp/version" 2>&1 || fail "pifleet --version failed: $(cat "$tmp/version")"
grep -q "^pifleet [0-9]" "$tmp/version" || fail "pifleet --version printed: $(cat "$tmp/version")"
in_root man -w pifleet > "$tmp/man" 2>&1 || fail "man -w pifleet: $(cat "$tmp/man")"
for unit in pifleet.service pifleet-firstboot.service; do
  # The real systemd-analyze (not the logging systemctl); --man=no: man pages need not exist.
  in_root /usr/bin/systemd-analyze verify --man=no "/lib/systemd/system/$unit" > "$tmp/verify" 2>&1 \
    || fail "systemd-analyze verify $unit: $(cat "$tmp/verify")"
  [ ! -s "$tmp/verify" ] || fail "systemd-analyze verify $unit warns: $(cat "$tmp/verify")"
  [ -L "$root/etc/systemd/system/multi-user.target.wants/$unit" ] || fail "$unit is not enabled"
done
grep -q 'deb-systemd-invoke' "$root/tmp/invoked" 2> /dev/null \
  && fail "postinst started the agent without a cluster key: $(cat "$root/tmp/invoked")"
grep -q 'no cluster key yet' "$tmp/install.log" || fail "postinst did not say why the agent is not started"
echo "chroot_test: install ok ($(head -n 1 "$tmp/version"), uid $uid, units verified, not started without a key)"

# 3. Upgrade over itself, with an edited config and a key.
sed -i 's/^#cluster = "pifleet"$/cluster = "rack-b"/' "$root/etc/pifleet/pifleet.toml"
grep -qx 'cluster = "rack-b"' "$root/etc/pifleet/pifleet.toml" || fail "could not edit the config"
cp "$root/etc/pifleet/pifleet.toml" "$tmp/edited.toml"
in_root sh -c 'pifleet keygen | install -m 0600 /dev/stdin /var/lib/pifleet/cluster.key' \
  || fail "the key recipe of pifleet.toml's header failed"
echo 'node data' > "$root/var/lib/pifleet/node.meta"
rm -f "$root/tmp/invoked"
in_root dpkg -i /tmp/pifleet.deb > "$tmp/upgrade.log" 2>&1 || fail "upgrade failed: $(cat "$tmp/upgrade.log")"
cmp -s "$tmp/edited.toml" "$root/etc/pifleet/pifleet.toml" || fail "the upgrade changed the edited config"
[ ! -e "$root/etc/pifleet/pifleet.toml.dpkg-new" ] || fail "the upgrade left pifleet.toml.dpkg-new"
[ "$(cat "$root/var/lib/pifleet/node.meta")" = 'node data' ] || fail "the upgrade lost the data dir"
[ "$(stat -c %a "$root/var/lib/pifleet/cluster.key")" = 600 ] || fail "the key's mode changed"
grep -qx 'deb-systemd-invoke restart pifleet.service' "$root/tmp/invoked" 2> /dev/null \
  || fail "the upgrade with a key did not restart the agent: $(cat "$root/tmp/invoked" 2> /dev/null)"
echo "chroot_test: upgrade ok (edited config and data dir kept, agent restarted)"

# 4. Purge.
in_root dpkg --purge pifleet > "$tmp/purge.log" 2>&1 || fail "purge failed: $(cat "$tmp/purge.log")"
for path in /var/lib/pifleet /etc/pifleet /usr/bin/pifleet /lib/systemd/system/pifleet.service \
    /etc/systemd/system/multi-user.target.wants/pifleet.service; do
  if [ -e "$root$path" ] || [ -L "$root$path" ]; then fail "$path is still there after purge"; fi
done
in_root getent passwd pifleet > /dev/null || fail "purge removed the pifleet user (it is meant to stay)"
echo "chroot_test: purge ok (data dir and config gone, the user stays)"
echo "chroot_test: ok ($arch, $(($(date +%s) - start)) s)"
