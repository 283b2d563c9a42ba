#!/usr/bin/env python3
"""A scripted Raspberry Pi network boot, as the Pi 3B ROM (+ bootcode.bin) or the Pi 4 EEPROM
bootloader does it (raspberrypi/documentation boot-net.adoc, eeprom-bootloader.adoc), with plain
sockets: DHCPDISCOVER with the PXE vendor class, the proxy offer with option 43's
"Raspberry Pi Boot" service, then TFTP reads from the offer's server. A missing <serial>/ file
means "not enrolled yet": like the real boards, the whole sequence is retried after a pause.

Prints one JSON object (attempts, server, each file's size and sha256); exit 0 when the boot
files came, 1 otherwise. Run it inside the client's network namespace.
"""
import argparse
import hashlib
import json
import os
import random
import socket
import struct
import sys
import time

VENDOR_CLASS = b"PXEClient:Arch:00000:UNDI:002001"
SERVICE = b"Raspberry Pi Boot"


def dhcp_discover(mac, xid, guid):
    fixed = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                        bytes(4), bytes(4), bytes(4), bytes(4), mac + bytes(10),
                        bytes(64), bytes(128))
    opts = bytes([53, 1, 1])
    opts += bytes([60, len(VENDOR_CLASS)]) + VENDOR_CLASS
    opts += bytes([93, 2, 0, 0, 94, 3, 1, 2, 1])  # client arch 0, UNDI 2.1
    if guid is not None:
        opts += bytes([97, 17, 0]) + guid
    opts += bytes([55, 5, 1, 3, 43, 60, 66, 255])
    return fixed + b"\x63\x82\x53\x63" + opts


def parse_options(data):
    opts, i = {}, 240
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        length = data[i + 1]
        opts[code] = data[i + 2:i + 2 + length]
        i += 2 + length
    return opts


def pxe_menu_text(opt43):
    """Sub-option 9 (boot menu) of option 43: 2-byte type, 1-byte length, text."""
    i = 0
    while i + 1 < len(opt43):
        sub, length = opt43[i], opt43[i + 1]
        if sub == 255:
            break
        body = opt43[i + 2:i + 2 + length]
        if sub == 9 and len(body) >= 3:
            return body[3:3 + body[2]]
        i += 2 + length
    return None


def proxy_offer(iface, mac, guid, timeout_s):
    """Broadcast a discover; return (server ip, menu text) from the first PXE proxy offer."""
    xid = random.getrandbits(32)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("0.0.0.0", 68))
    s.settimeout(0.5)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            s.sendto(dhcp_discover(mac, xid, guid), ("255.255.255.255", 67))
            resend = time.monotonic() + 2
            while time.monotonic() < min(resend, deadline):
                try:
                    data, _ = s.recvfrom(2048)
                except socket.timeout:
                    continue
                if len(data) < 240 or data[0] != 2 or struct.unpack("!I", data[4:8])[0] != xid:
                    continue
                opts = parse_options(data)
                if opts.get(53) != b"\x02" or not opts.get(60, b"").startswith(b"PXEClient"):
                    continue
                menu = pxe_menu_text(opts.get(43, b""))
                if menu is None or not menu.startswith(SERVICE):
                    continue
                server = socket.inet_ntoa(data[20:24])
                if server == "0.0.0.0" and 54 in opts:
                    server = socket.inet_ntoa(opts[54])
                return server, menu
    finally:
        s.close()
    return None, None


def tftp_get(server, name, timeout_s):
    """Returns (bytes, None) or (None, error text). Plain RFC 1350 with a 1468-byte blksize."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout_s)
    try:
        s.sendto(b"\x00\x01" + name.encode() + b"\x00octet\x00blksize\x001468\x00", (server, 69))
        blksize, expect, out = 512, 1, bytearray()
        while True:
            data, peer = s.recvfrom(65536)
            op = struct.unpack("!H", data[:2])[0]
            if op == 5:
                return None, data[4:].rstrip(b"\x00").decode(errors="replace")
            if op == 6:  # option ack
                fields = data[2:].split(b"\x00")
                if b"blksize" in fields:
                    blksize = int(fields[fields.index(b"blksize") + 1])
                s.sendto(b"\x00\x04\x00\x00", peer)
                continue
            block = struct.unpack("!H", data[2:4])[0]
            if op != 3:
                return None, f"unexpected TFTP opcode {op}"
            if block == expect:
                out += data[4:]
                expect = (expect + 1) & 0xFFFF
            s.sendto(b"\x00\x04" + data[2:4], peer)
            if block == (expect - 1) & 0xFFFF and len(data) - 4 < blksize:
                return bytes(out), None
    except socket.timeout:
        return None, "timeout"
    finally:
        s.close()


def boot_files(model, serial):
    """What the board asks for, in order: (name, required). A missing required file ends
    the attempt; the first one under <serial>/ decides whether the Pi is known."""
    if model == "pi3b":
        return [("bootcode.bin", True), ("bootsig.bin", False), (f"{serial}/start.elf", True),
                (f"{serial}/config.txt", True), (f"{serial}/cmdline.txt", True)]
    return [(f"{serial}/start4.elf", True), (f"{serial}/config.txt", True),
            (f"{serial}/cmdline.txt", True)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--model", choices=["pi3b", "pi4"], required=True)
    ap.add_argument("--serial", required=True, help="8 hex digits")
    ap.add_argument("--mac", required=True)
    ap.add_argument("--attempts", type=int, default=5)
    ap.add_argument("--retry-delay-s", type=float, default=1.0)
    ap.add_argument("--save", help="directory to write the fetched files into")
    args = ap.parse_args()
    mac = bytes.fromhex(args.mac.replace(":", ""))
    guid = None
    if args.model == "pi4":  # DHCP_OPTION97: "RPi4", board revision, low 4 bytes of MAC, serial
        guid = b"RPi4" + struct.pack("<I", 0xC03111) + mac[2:] + bytes.fromhex(args.serial)[::-1]
    report = {"model": args.model, "serial": args.serial, "attempts": [], "files": {}}
    for attempt in range(1, args.attempts + 1):
        server, menu = proxy_offer(args.iface, mac, guid, 10)
        step = {"server": server, "menu": menu.decode() if menu else None, "missing": []}
        report["attempts"].append(step)
        if server is None:
            step["error"] = "no proxy-DHCP offer with the Raspberry Pi Boot service"
            time.sleep(args.retry_delay_s)
            continue
        ok = True
        for name, required in boot_files(args.model, args.serial):
            data, err = tftp_get(server, name, 5)
            if data is None:
                step["missing"].append(f"{name}: {err}")
                if required:
                    ok = False
                    break
                continue
            report["files"][name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            if args.save:
                path = os.path.join(args.save, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "wb") as f:
                    f.write(data)
        if ok:
            report["booted"] = True
            print(json.dumps(report, indent=1))
            return 0
        time.sleep(args.retry_delay_s)
    report["booted"] = False
    print(json.dumps(report, indent=1))
    return 1


if __name__ == "__main__":
    sys.exit(main())
