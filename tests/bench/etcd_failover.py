#!/usr/bin/env python3
"""One failover round against etcd for tests/bench/run, as pifleet-kv-client's `failover` does
for pifleet: a put acknowledged, then SIGKILL to the leader's pid, then puts through the
surviving members' JSON gateways (alternating, each with a short timeout) until one is
acknowledged. Prints "failover_ms X" (kill to acknowledgement).
Usage: etcd_failover.py LEADER_PID SURVIVOR_URL...   Exit codes: 0 measured, 1 failed, 2 usage.
"""
import base64
import http.client
import json
import os
import signal
import sys
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
    start = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    attempt = 0
    while time.monotonic() - start < 30:
        if put(survivors[attempt % len(survivors)], "failover/after", 1.0):
            print(f"failover_ms {(time.monotonic() - start) * 1000:.1f}")
            return 0
        attempt += 1
    print("etcd_failover: no put acknowledged within 30 s of the kill", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
