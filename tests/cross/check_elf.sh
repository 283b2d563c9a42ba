#!/usr/bin/env bash
# Checks the cross-built pifleet: AArch64 machine, and run-time dependencies limited to glibc
# (none at all when fully static). libstdc++, mbedTLS and libgpiod must be inside the binary.
# Checks LOAD segments' alignment. Prints the stripped size. Usage: check_elf.sh BINARY dynamic|static
set -u
bin=${1:?usage: check_elf.sh BINARY dynamic|static}
mode=${2:?usage: check_elf.sh BINARY dynamic|static}
readelf=$(command -v aarch64-linux-gnu-readelf || command -v readelf)
strip=$(command -v aarch64-linux-gnu-strip) || { echo "check_elf: aarch64-linux-gnu-strip missing"; exit 1; }

machine=$("$readelf" -h "$bin" | sed -n 's/^ *Machine: *//p')
[ "$machine" = "AArch64" ] || { echo "check_elf: machine is '$machine', want AArch64"; exit 1; }

mapfile -t needed < <("$readelf" -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort)
case "$mode" in
  dynamic) allowed='^(libc\.so\.6|libm\.so\.6|ld-linux-aarch64\.so\.1)$' ;;
  static) allowed='^$'
          "$readelf" -l "$bin" | grep -q 'INTERP' && { echo "check_elf: static binary has an interpreter"; exit 1; } ;;
  *) echo "check_elf: mode must be dynamic or static"; exit 2 ;;
esac
for lib in "${needed[@]}"; do
  [[ "$lib" =~ $allowed ]] || { echo "check_elf: unexpected run-time dependency $lib (NEEDED: ${needed[*]:-none})"; exit 1; }
done

# Segments aligned to 16 KiB (CMakeLists.txt): loadable on the Pi 5's 16 KiB-page kernel, and
# no more than that, which would pad the file.
mapfile -t aligns < <("$readelf" -lW "$bin" | awk '$1 == "LOAD" {print $NF}' | sort -u)
[ "${aligns[*]}" = "0x4000" ] || { echo "check_elf: LOAD segments aligned to ${aligns[*]}, want 0x4000"; exit 1; }

stripped=$(mktemp); trap 'rm -f "$stripped"' EXIT
"$strip" -o "$stripped" "$bin"
size=$(stat -c %s "$stripped")
echo "check_elf: $bin: AArch64, $mode, NEEDED: ${needed[*]:-none}; stripped size $size bytes ($(( (size + 1023) / 1024 )) KiB)"
