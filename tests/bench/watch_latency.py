#!/usr/bin/env python3
"""Watch delivery latency for tests/bench/run's `watch` mode.
  watch_latency.py stamp            copies stdin lines to stdout prefixed by the wall clock in ns
                                    (a watcher's output, as it arrives)
  watch_latency.py etcd-puts URL N  N puts of watch/0 .. watch/N-1 through etcd's JSON gateway,
                                    20 ms apart; after each acknowledgement prints "KEY NS"
  watch_latency.py etcd-reads URL N linearizable|serializable
                                    N gets of one key; prints "gets N p50_us X p99_us Y max_us Z"
  watch_latency.py report ACKS EVENTS
                                    per key, the first event line naming it minus its
                                    acknowledgement; prints "events N p50_ms X p99_ms Y missing M"
Exit codes: 0 done, 1 a request failed, 2 usage.
"""
import base64
import http.client
import json
import re
import sys
import time
import urllib.parse

KEY = re.compile(r"\bwatch/\d+\b")


def post(url, path, body):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        return response.status == 200 and b'"error"' not in answer
    finally:
        connection.close()


def b64(text):
    return base64.b64encode(text.encode()).decode()


def percentiles(values):
    values = sorted(values)
    at = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return at(0.50), at(0.99), values[-1]


def stamp():
    for line in sys.stdin:
        sys.stdout.write(f"{time.time_ns()} {line}")
        sys.stdout.flush()
    return 0


def etcd_puts(url, count):
    for i in range(count):
        key = f"watch/{i}"
        if not post(url, "/v3/kv/put", {"key": b64(key), "value": b64("x")}):
            print(f"watch_latency: put {i} failed", file=sys.stderr)
            return 1
        print(f"{key} {time.time_ns()}", flush=True)
        time.sleep(0.02)
    return 0


def etcd_reads(url, count, mode):
    if not post(url, "/v3/kv/put", {"key": b64("reads/key"), "value": b64("x")}):
        return 1
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)  # kept open
    body = json.dumps({"key": b64("reads/key"), "serializable": mode == "serializable"})
    micros = []
    for i in range(count):
        start = time.monotonic_ns()
        connection.request("POST", "/v3/kv/range", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        if response.status != 200 or b'"kvs"' not in response.read():
            print(f"watch_latency: get {i} failed", file=sys.stderr)
            return 1
        micros.append((time.monotonic_ns() - start) // 1000)
    connection.close()
    p50, p99, top = percentiles(micros)
    print(f"gets {count} p50_us {p50} p99_us {p99} max_us {top}")
    return 0


def report(acks_path, events_path):
    acks = {}
    with open(acks_path) as acks_file:
        for line in acks_file:
            key, ns = line.split()
            acks[key] = int(ns)
    seen = {}
    with open(events_path) as events_file:
        for line in events_file:
            ns, _, rest = line.partition(" ")
            for key in KEY.findall(rest):
                seen.setdefault(key, int(ns))
    latencies = [(seen[key] - ns) / 1e6 for key, ns in acks.items() if key in seen]
    if not latencies:
        print("watch_latency: no event arrived", file=sys.stderr)
        return 1
    p50, p99, _ = percentiles(latencies)
    print(f"events {len(latencies)} p50_ms {p50:.2f} p99_ms {p99:.2f} "
          f"missing {len(acks) - len(latencies)}")
    return 0


def main(args):
    try:
        if args[:1] == ["stamp"] and len(args) == 1:
            return stamp()
        if args[:1] == ["etcd-puts"] and len(args) == 3:
            return etcd_puts(args[1], int(args[2]))
        if args[:1] == ["etcd-reads"] and len(args) == 4 and args[3] in ("linearizable",
                                                                           "serializable"):
            return etcd_reads(args[1], int(args[2]), args[3])
        if args[:1] == ["report"] and len(args) == 3:
            return report(args[1], args[2])
    except (OSError, http.client.HTTPException, ValueError) as error:
        print(f"watch_latency: {error}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
