#!/usr/bin/env bash
# provisioning/pifleet-firstboot against a fake root and a fake FAT dir: the key moves into the
# data dir (0600) and is blanked in the FAT file, hostname/SSH key/Wi-Fi are applied, the agent
# gets only its own keys; a second boot changes nothing; a broken file is refused with the line
# and reason, exit 2, the failed LED pattern, and nothing applied.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script=$(cd "$here/../.." && pwd)/provisioning/pifleet-firstboot
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "firstboot_test: FAIL: $*"; exit 1; }

# A fake pifleet that records `led set failed`.
printf '#!/bin/sh\necho "$*" >> %s/led.calls\n' "$tmp" > "$tmp/pifleet"
chmod +x "$tmp/pifleet"
export PIFLEET_BIN=$tmp/pifleet

new_root() {  # new_root DIR [nm]: a root with a Pi serial, /etc/hosts, optionally NetworkManager
  mkdir -p "$1/root/proc" "$1/root/etc" "$1/fat"
  printf 'processor\t: 0\nSerial\t\t: 10000000ABCDEF12\nModel\t\t: Raspberry Pi 4\n' > "$1/root/proc/cpuinfo"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n' > "$1/root/etc/hosts"
  [ "${2:-}" != nm ] || mkdir -p "$1/root/etc/NetworkManager/system-connections"
}
run() {  # run DIR: runs the script, output in DIR/log, returns its exit code
  rm -f "$tmp/led.calls"
  "$script" --root "$1/root" --fat "$1/fat" > "$1/log" 2>&1
}
mode() { stat -c %a "$1"; }

key=$(head -c 32 /dev/urandom | base64)
ssh_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx0 admin@laptop"
# Written with CRLF line ends, as a Windows editor leaves them.
sed 's/$/\r/' > "$tmp/good.toml" <<EOF
# fleet settings
cluster = "rack-a"
join = ["10.0.0.11:7101"]
key = "$key"

[leds.status]
name = "ACT"

[firstboot]
hostname = "pi-{serial}"
ssh_authorized_key = "$ssh_key"
wifi_ssid = 'lab net'
wifi_psk = "correct horse battery"   # blanked after use
wifi_country = "GB"
EOF

# 1. A good file on a Debian-style root (wpa_supplicant).
d=$tmp/good; new_root "$d"; cp "$tmp/good.toml" "$d/fat/pifleet.toml"
run "$d" || fail "good file refused: $(cat "$d/log")"
r=$d/root
[ "$(cat "$r/var/lib/pifleet/cluster.key")" = "$key" ] || fail "cluster.key does not hold the key"
[ "$(mode "$r/var/lib/pifleet/cluster.key")" = 600 ] || fail "cluster.key mode $(mode "$r/var/lib/pifleet/cluster.key")"
[ "$(mode "$r/var/lib/pifleet")" = 700 ] || fail "data dir mode $(mode "$r/var/lib/pifleet")"
! grep -qF "$key" "$d/fat/pifleet.toml" || fail "the key is still on the FAT partition"
grep -qx 'key = ""' "$d/fat/pifleet.toml" || fail "no blank key line in the FAT file"
grep -qx 'wifi_psk = ""' "$d/fat/pifleet.toml" || fail "the Wi-Fi PSK is still on the FAT partition"
grep -q '^cluster = "rack-a"' "$d/fat/pifleet.toml" || fail "the rest of the FAT file was not kept"
agent=$r/etc/pifleet/pifleet.toml
grep -q '^cluster = "rack-a"' "$agent" || fail "agent file lacks cluster: $(cat "$agent")"
grep -q '^\[leds.status\]' "$agent" || fail "agent file lacks [leds.status]"
! grep -qE '^(key|hostname|wifi_|ssh_)|firstboot' "$agent" || fail "image-only keys reached the agent: $(cat "$agent")"
[ "$(cat "$r/etc/hostname")" = pi-abcdef12 ] || fail "hostname $(cat "$r/etc/hostname"), want pi-abcdef12"
grep -qP '^127\.0\.1\.1\tpi-abcdef12$' "$r/etc/hosts" || fail "/etc/hosts: $(cat "$r/etc/hosts")"
[ "$(cat "$r/root/.ssh/authorized_keys")" = "$ssh_key" ] || fail "authorized_keys wrong"
[ "$(mode "$r/root/.ssh/authorized_keys")" = 600 ] || fail "authorized_keys mode"
wpa=$r/etc/wpa_supplicant/wpa_supplicant-wlan0.conf
grep -q 'ssid="lab net"' "$wpa" && grep -q 'psk="correct horse battery"' "$wpa" && grep -q 'country=GB' "$wpa" \
  || fail "wpa_supplicant config: $(cat "$wpa")"
[ "$(mode "$wpa")" = 600 ] || fail "wpa_supplicant config mode $(mode "$wpa")"
[ -L "$r/etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service" ] || fail "wpa_supplicant@wlan0 not enabled"
[ ! -e "$tmp/led.calls" ] || fail "LED set on success"
echo "firstboot_test: first boot ok"

# 2. The next boot: the blanked file is still valid and nothing is lost or duplicated.
cp "$d/fat/pifleet.toml" "$tmp/fat-after-first"
run "$d" || fail "second boot refused the blanked file: $(cat "$d/log")"
[ "$(cat "$r/var/lib/pifleet/cluster.key")" = "$key" ] || fail "second boot lost the key"
grep -q 'psk="correct horse battery"' "$wpa" || fail "second boot dropped the Wi-Fi PSK"
[ "$(wc -l < "$r/root/.ssh/authorized_keys")" -eq 1 ] || fail "SSH key added twice"
cmp -s "$d/fat/pifleet.toml" "$tmp/fat-after-first" || fail "second boot rewrote the FAT file"
echo "firstboot_test: second boot ok"

# 3. Raspberry Pi OS (NetworkManager).
d=$tmp/nm; new_root "$d" nm; cp "$tmp/good.toml" "$d/fat/pifleet.toml"
run "$d" || fail "NetworkManager root refused: $(cat "$d/log")"
nm=$d/root/etc/NetworkManager/system-connections/pifleet-wifi.nmconnection
grep -qx 'ssid=lab net' "$nm" && grep -qx 'psk=correct horse battery' "$nm" || fail "nmconnection: $(cat "$nm")"
[ "$(mode "$nm")" = 600 ] || fail "nmconnection mode $(mode "$nm")"
echo "firstboot_test: NetworkManager ok"

# 4. Broken files: exit 2, the reason, the failed LED, nothing applied, the FAT file untouched.
refused() {  # refused NAME PATTERN: the file in $tmp/NAME.toml must be refused with PATTERN
  local d=$tmp/bad-$1 rc=0
  new_root "$d"; cp "$tmp/$1.toml" "$d/fat/pifleet.toml"
  run "$d" || rc=$?
  [ "$rc" -eq 2 ] || fail "$1: exit $rc, want 2: $(cat "$d/log")"
  grep -q "$2" "$d/log" || fail "$1: want '$2' in: $(cat "$d/log")"
  grep -qx 'led set failed' "$tmp/led.calls" 2> /dev/null || fail "$1: failed LED pattern not set"
  [ -z "$(find "$d/root" -mindepth 1 -not -path '*/proc*' -not -path '*/etc' -not -path '*/etc/hosts')" ] \
    || fail "$1: something was applied: $(find "$d/root")"
  cmp -s "$tmp/$1.toml" "$d/fat/pifleet.toml" || fail "$1: the FAT file was changed"
}
printf 'cluster = "a"\nkey = "%s"\nthis line is wrong\n' "$key" > "$tmp/syntax.toml"
refused syntax 'line 3: expected key = value'
printf 'key = "%s"\n[firstboot]\nhostnme = "x"\n' "$key" > "$tmp/typo.toml"
refused typo 'unknown key "hostnme" in \[firstboot\]'
printf 'key = "%s"\nhostname = "x"\n' "$key" > "$tmp/toplevel.toml"
refused toplevel 'hostname belongs in the \[firstboot\] table'
printf 'cluster = "a"\nkey = ""\n' > "$tmp/nokey.toml"
refused nokey 'key is empty.*pifleet keygen'
printf 'key = "c2hvcnQ="\n' > "$tmp/shortkey.toml"
refused shortkey 'key is not a pifleet key'
printf 'key = "%s"\n[firstboot]\nhostname = "Pi_{serial}"\n' "$key" > "$tmp/badhost.toml"
refused badhost 'hostname "Pi_abcdef12" is not a valid host name'
printf 'key = "%s"\n[firstboot]\nwifi_ssid = "x"\nwifi_psk = "short"\n' "$key" > "$tmp/badpsk.toml"
refused badpsk 'wifi_psk must be 8 to 63 characters'
printf 'key = "%s"\n[firstboot]\nhostname = "a\\"b"\n' "$key" > "$tmp/escape.toml"
refused escape 'one-line string in quotes'
echo "firstboot_test: refusals ok"
echo "firstboot_test: ok"
