#!/usr/bin/env python3
"""One failover round against etcd for tests/bench/run, as pifleet-kv-client's `failover` does
for pifleet: a put acknowledged, then SIGKILL to the leader's pid, then puts through the
surviving members' JSON gateways until one is acknowledged. Prints "failover_ms X" (kill to
acknowledgement). A new attempt starts every 50 ms, alternating between the survivors, while the
earlier ones still wait: an etcd member without a leader drops a proposal and answers only at
its request timeout, so a client that gave each attempt up after T would measure in steps of T
(pifleet's client, for its part, accepts a late answer to any attempt of the same request).
Usage: etcd_failover.py LEADER_PID SURVIVOR_URL...   Exit codes: 0 measured, 1 failed, 2 usage.
"""
import base64
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse


def put(url, key, timeout_s):
    parts = urllib.parse.urlsplit(url)
    body = json.dumps({"key": base64.b64encode(key.encode()).decode(),
                       "value": base64.b64encode(b"x").decode()})
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
    try:
        connection.request("POST", "/v3/kv/put", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        # The gateway answers 200 with the put's header; errors come as other statuses or as an
        # "error" field.
        return response.status == 200 and b'"error"' not in answer
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    victim, survivors = int(sys.argv[1]), sys.argv[2:]
    if not put(survivors[0], "failover/before", 5.0):
        print("etcd_failover: no put acknowledged before the kill", file=sys.stderr)
        return 1
    acknowledged = []  # times of acknowledgement; the first one counts
    done = threading.Event()

    def attempt(url):
        if put(url, "failover/after", 10.0):
            acknowledged.append(time.monotonic())
            done.set()

    start = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    attempts = 0
    while not done.is_set() and time.monotonic() - start < 30:
        threading.Thread(target=attempt, args=(survivors[attempts % len(survivors)],),
                         daemon=True).start()
        attempts += 1
        done.wait(0.05)
    if acknowledged:
        print(f"failover_ms {(min(acknowledged) - start) * 1000:.1f}")
        return 0
    print("etcd_failover: no put acknowledged within 30 s of the kill", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
