#!/usr/bin/env python3
"""Reads one file from an NFSv3 export the way a netbooting Pi's initramfs mounts its root
(klibc nfsmount: portmapper, MOUNT v3 MNT of the nfsroot path, then NFS v3), over UDP with
AUTH_UNIX as root. This machine's kernel has no NFS client, so the test speaks ONC RPC itself.

usage: nfs_probe.py SERVER EXPORT_PATH FILE_IN_EXPORT   (prints the file's bytes; exit 1 on error)
"""
import os
import random
import socket
import struct
import sys


def pad(b):
    return b + bytes((4 - len(b) % 4) % 4)


def opaque(b):
    return struct.pack("!I", len(b)) + pad(b)


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u32(self):
        v = struct.unpack_from("!I", self.data, self.pos)[0]
        self.pos += 4
        return v

    def opaque(self):
        n = self.u32()
        v = self.data[self.pos:self.pos + n]
        self.pos += (n + 3) & ~3
        return v

    def skip(self, n):
        self.pos += n

    def post_op_attr(self):
        if self.u32():
            self.skip(84)  # fattr3


def call(server, port, prog, vers, proc, args):
    xid = random.getrandbits(32)
    cred = struct.pack("!I", 0) + opaque(b"pi") + struct.pack("!III", 0, 0, 0)
    msg = struct.pack("!IIIIII", xid, 0, 2, prog, vers, proc)
    msg += struct.pack("!I", 1) + opaque(cred) + struct.pack("!II", 0, 0) + args
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", random.randint(600, 1000)))  # a privileged port, as the kernel uses
    s.settimeout(3)
    try:
        for _ in range(3):
            s.sendto(msg, (server, port))
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            r = Reader(data)
            if r.u32() != xid:
                continue
            if r.u32() != 1 or r.u32() != 0:
                raise RuntimeError(f"RPC {prog}/{proc}: call denied")
            r.u32()
            r.opaque()  # verifier
            if r.u32() != 0:
                raise RuntimeError(f"RPC {prog}/{proc}: not accepted")
            return r
        raise RuntimeError(f"RPC {prog}/{proc} to {server}:{port}: no answer")
    finally:
        s.close()


def getport(server, prog, vers):
    port = call(server, 111, 100000, 2, 3, struct.pack("!IIII", prog, vers, 17, 0)).u32()
    if port == 0:
        raise RuntimeError(f"program {prog} v{vers} not registered with the portmapper")
    return port


def main():
    server, export, path = sys.argv[1:4]
    r = call(server, getport(server, 100005, 3), 100005, 3, 1, opaque(export.encode()))
    status = r.u32()
    if status != 0:
        raise RuntimeError(f"MOUNT {export}: status {status}")
    fh = r.opaque()
    nfs = getport(server, 100003, 3)
    for name in path.strip("/").split("/"):
        r = call(server, nfs, 100003, 3, 3, opaque(fh) + opaque(name.encode()))
        status = r.u32()
        if status != 0:
            raise RuntimeError(f"LOOKUP {name}: NFS status {status}")
        fh = r.opaque()
    r = call(server, nfs, 100003, 3, 6, opaque(fh) + struct.pack("!QI", 0, 65536))
    status = r.u32()
    if status != 0:
        raise RuntimeError(f"READ {path}: NFS status {status}")
    r.post_op_attr()
    r.u32()  # count
    r.u32()  # eof
    os.write(1, r.opaque())


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, OSError, struct.error) as e:
        print(f"nfs_probe: {e}", file=sys.stderr)
        sys.exit(1)
