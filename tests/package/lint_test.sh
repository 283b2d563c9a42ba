#!/usr/bin/env bash
# The built .deb: lintian reports no error and no warning (overrides, each with its reason, in
# packaging/deb/lintian-overrides), and dpkg-deb shows the fields and files the package promises
# (docs/install.md): architecture, Depends from dpkg-shlibdeps, the conffile, the maintainer
# scripts, and every installed path with its mode.
# Usage: lint_test.sh PACKAGE.deb ARCH     Exit codes: 0 ok, 1 a check failed.
set -euo pipefail
deb=${1:?usage: lint_test.sh PACKAGE.deb ARCH}
arch=${2:?usage: lint_test.sh PACKAGE.deb ARCH}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "lint_test: FAIL: $*"; exit 1; }

[ -r "$deb" ] || fail "no package at $deb (build it: cmake --build --preset <release|aarch64> --target deb)"
echo "lint_test: $deb, $(stat -c %s "$deb") bytes"

# 1. Control fields.
dpkg-deb --info "$deb" > "$tmp/info"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = pifleet ] || fail "Package: $(field Package)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is $(field Architecture), want $arch"
depends=$(field Depends)
# Computed by dpkg-shlibdeps: a versioned libc6. No libsystemd0: the agent speaks the notify and
# journal protocols itself.
grep -Eq '(^|, )libc6 \(>= [0-9.]+\)' <<<"$depends" || fail "Depends has no versioned libc6: '$depends'"
grep -q 'libsystemd' <<<"$depends" && fail "Depends names libsystemd: '$depends'"
for script in postinst prerm postrm conffiles md5sums; do
  grep -Eq "^ +[0-9]+ bytes, +[0-9]+ lines +\*? *$script( |$)" "$tmp/info" || fail "no $script in the control archive: $(cat "$tmp/info")"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles > "$tmp/conffiles"
[ "$(cat "$tmp/conffiles")" = /etc/pifleet/pifleet.toml ] || fail "conffiles: $(cat "$tmp/conffiles")"
echo "lint_test: control ok (Depends: $depends)"

# 2. Files: path, mode, owner.
dpkg-deb --contents "$deb" > "$tmp/contents"
awk '{ sub(/^\./, "", $6); print $1, $2, $6 }' "$tmp/contents" > "$tmp/files"
want() {  # want MODE PATH
  grep -qx -- "$1 root/root $2" "$tmp/files" || fail "want $2 ($1 root/root); the package has: $(grep -F " $2" "$tmp/files" || echo nothing)"
}
want -rwxr-xr-x /usr/bin/pifleet
want -rwxr-xr-x /usr/lib/pifleet/pifleet-firstboot
want -rwxr-xr-x /usr/lib/pifleet/pifleet-netboot
want -rw-r--r-- /usr/lib/pifleet/netboot-lib.sh
want -rw-r--r-- /lib/systemd/system/pifleet.service
want -rw-r--r-- /lib/systemd/system/pifleet-firstboot.service
want -rw-r--r-- /etc/pifleet/pifleet.toml
want -rw-r--r-- /usr/lib/sysusers.d/pifleet.conf
want -rw-r--r-- /usr/lib/tmpfiles.d/pifleet.conf
want -rw-r--r-- /usr/share/man/man1/pifleet.1.gz
want -rw-r--r-- /usr/share/bash-completion/completions/pifleet
want -rw-r--r-- /usr/share/zsh/vendor-completions/_pifleet
want -rw-r--r-- /usr/share/fish/vendor_completions.d/pifleet.fish
want -rw-r--r-- /usr/share/doc/pifleet/copyright
want -rw-r--r-- /usr/share/doc/pifleet/changelog.Debian.gz
if grep -v '^d' "$tmp/files" | grep -q 'usr/local'; then fail "files under /usr/local: $(grep usr/local "$tmp/files")"; fi
# The binary is the package's architecture and stripped.
mkdir "$tmp/x"
dpkg-deb --extract "$deb" "$tmp/x"
file -b "$tmp/x/usr/bin/pifleet" > "$tmp/file"
case "$arch" in
  amd64) grep -q 'x86-64' "$tmp/file" || fail "/usr/bin/pifleet is not x86-64: $(cat "$tmp/file")" ;;
  arm64) grep -q 'ARM aarch64' "$tmp/file" || fail "/usr/bin/pifleet is not aarch64: $(cat "$tmp/file")" ;;
esac
grep -q ', stripped' "$tmp/file" || fail "/usr/bin/pifleet is not stripped: $(cat "$tmp/file")"
# The units name the packaged paths.
grep -q '^ExecStart=/usr/bin/pifleet agent --config /etc/pifleet/pifleet.toml$' \
  "$tmp/x/lib/systemd/system/pifleet.service" || fail "pifleet.service does not start /usr/bin/pifleet"
! grep -q '^Requires=pifleet-firstboot' "$tmp/x/lib/systemd/system/pifleet.service" \
  || fail "pifleet.service requires pifleet-firstboot (it must run without a FAT partition)"
grep -qi '^\.TH  *"\?pifleet' <<<"$(zcat "$tmp/x/usr/share/man/man1/pifleet.1.gz")" \
  || fail "the man page has no .TH PIFLEET line"
echo "lint_test: contents ok ($(grep -vc '^d' "$tmp/files") files, installed size $(field Installed-Size) KiB)"

# 3. lintian: no error, no warning (info and pedantic tags are shown, not failed on).
command -v lintian > /dev/null || fail "lintian is not installed (scripts/setup)"
if ! lintian --fail-on error,warning --display-info "$deb" > "$tmp/lintian" 2>&1; then
  cat "$tmp/lintian"
  fail "lintian reports errors or warnings"
fi
if [ -s "$tmp/lintian" ]; then
  sed 's/^/lint_test: lintian: /' "$tmp/lintian"
fi
echo "lint_test: lintian clean"
echo "lint_test: ok"
