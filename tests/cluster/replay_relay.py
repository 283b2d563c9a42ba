#!/usr/bin/env python3
"""A UDP relay that records real client datagrams and replays them later (cluster tests).

Written from docs/formats.md, "Client protocol", alone: it opens the sealed datagrams with the
cluster key to tell registrations from kv commands and to read the agent's answers.

  replay_relay.py record KEYFILE AGENT_PORT OUT -- CMD...   runs CMD with {relay} replaced by
      the relay's endpoint, forwards both ways, and writes every client datagram to OUT
      (one line each: hex, op, session, sequence)
  replay_relay.py replay KEYFILE AGENT_PORT IN              sends every recorded datagram to
      the agent again and prints one line per datagram: op, what came back
"""
import base64, hashlib, socket, struct, subprocess, sys, threading, time
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HEADER = struct.Struct("<2sBBQQIQ")  # magic, version, key id, cluster id, sender, epoch, counter


def load_key(path):
    key = base64.b64decode(open(path).read().strip())
    assert len(key) == 32
    return key


def open_datagram(key, datagram):
    magic, _version, _key_id, cluster, sender, epoch, counter = HEADER.unpack_from(datagram)
    assert magic == b"PF"
    info = struct.pack("<QQIB", cluster, sender, epoch, hashlib.sha256(key).digest()[0])
    subkey = HKDF(hashes.SHA256(), 32, b"pifleet wire v1", info).derive(key)
    nonce = struct.pack("<Q", counter) + b"\0" * 4
    plain = ChaCha20Poly1305(subkey).decrypt(nonce, datagram[HEADER.size:],
                                             datagram[:HEADER.size])
    assert plain[0] == 0, "only whole messages here"
    return unpack(plain, 1)[0]


def unpack(b, i):
    """One msgpack value at b[i:]: (value, next index). Only the types the protocol uses."""
    t = b[i]
    if t <= 0x7F: return t, i + 1
    if t >= 0xE0: return t - 0x100, i + 1
    if 0x90 <= t <= 0x9F: return unpack_array(b, i + 1, t & 0x0F)
    if 0xA0 <= t <= 0xBF: n = t & 0x1F; return b[i + 1:i + 1 + n], i + 1 + n
    if t == 0xC0: return None, i + 1
    if t in (0xC2, 0xC3): return t == 0xC3, i + 1
    sizes = {0xCC: "B", 0xCD: "H", 0xCE: "I", 0xCF: "Q", 0xD0: "b", 0xD1: "h", 0xD2: "i", 0xD3: "q"}
    if t in sizes:
        fmt = ">" + sizes[t]
        return struct.unpack_from(fmt, b, i + 1)[0], i + 1 + struct.calcsize(fmt)
    lengths = {0xC4: "B", 0xC5: "H", 0xC6: "I", 0xD9: "B", 0xDA: "H", 0xDB: "I"}
    if t in lengths:
        fmt = ">" + lengths[t]
        n = struct.unpack_from(fmt, b, i + 1)[0]
        start = i + 1 + struct.calcsize(fmt)
        return b[start:start + n], start + n
    if t in (0xDC, 0xDD):
        fmt = ">H" if t == 0xDC else ">I"
        return unpack_array(b, i + 1 + struct.calcsize(fmt), struct.unpack_from(fmt, b, i + 1)[0])
    raise ValueError(f"msgpack type {t:#x}")


def unpack_array(b, i, n):
    out = []
    for _ in range(n):
        v, i = unpack(b, i)
        out.append(v)
    return out, i


def record(key, agent_port, out_path, cmd):
    relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    relay.bind(("127.0.0.1", 0))
    relay.settimeout(0.1)
    agent = ("127.0.0.1", agent_port)
    endpoint = f"127.0.0.1:{relay.getsockname()[1]}"
    proc = subprocess.Popen([a.replace("{relay}", endpoint) for a in cmd])
    client = None
    with open(out_path, "a") as out:
        while proc.poll() is None:
            try:
                data, source = relay.recvfrom(70000)
            except socket.timeout:
                continue
            if source == agent:
                if client: relay.sendto(data, client)
                continue
            client = source
            msg = open_datagram(key, data)  # [64, client id, session, sequence, op, payload]
            out.write(f"{data.hex()} {msg[4]} {msg[2]} {msg[3]}\n")
            relay.sendto(data, agent)
    return proc.returncode


def replay(key, agent_port, in_path):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(2.0)
    for line in open(in_path):
        hexdata, op, session, sequence = line.split()
        sock.sendto(bytes.fromhex(hexdata), ("127.0.0.1", agent_port))
        try:
            reply = open_datagram(key, sock.recvfrom(70000)[0])
        except socket.timeout:
            print(f"op {op} session {session} sequence {sequence} unanswered")
            continue
        _type, _client, _seq, code, payload, error = reply
        body = unpack(payload, 0)[0] if payload else None
        if op == "14":
            print(f"op 14 session {session} code {code} new_session {body[0]}")
        elif op == "1" and code == 0:
            print(f"op 1 session {session} sequence {sequence} code 0 ok {int(body[0])} "
                  f"outcome {body[3]}")
        else:
            print(f"op {op} session {session} sequence {sequence} code {code} error {error!r}")
        sys.stdout.flush()


def main():
    mode, key, port, path = sys.argv[1], load_key(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if mode == "record":
        sys.exit(record(key, port, path, sys.argv[sys.argv.index("--") + 1:]))
    replay(key, port, path)


if __name__ == "__main__":
    main()
