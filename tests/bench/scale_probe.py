#!/usr/bin/env python3
"""tests/bench/run scale: how long a decision takes to be applied on every learner.

Each round puts one key through the leader (`pifleet kv put`), waits SETTLE_MS, then reads every
node's /metrics: `pifleet_applied_slot` and `pifleet_applied_slot_unix_microseconds` (the wall
clock when that node applied that slot, taken by the agent itself). The leader's pair is the
reference (it applies the decision and acknowledges the put in the same turn of its loop); each
learner's time minus the leader's, for the same slot, is that learner's delay. Polling happens
after the fact, so its own delay is not in the figures; a learner still behind is read again
until it has applied the slot. A round where some node already applied a later slot (another
decision came meanwhile) says nothing about the last learner: it is discarded, counted, and
another round is run in its place.

Usage: scale_probe.py --pifleet BIN --key-file K --endpoint HOST:PORT --decisions N
                      [--settle-ms MS] [--raw FILE] LEADER_URL LEARNER_URL...
Prints one JSON line: decisions, discarded, every_p50_ms / every_p99_ms / every_max_ms (leader
applied -> applied on the last learner, per decision), spread_p99_ms (first learner applied ->
last learner applied), one_p50_ms / one_p99_ms (leader applied -> applied on one learner, over
every (decision, learner) pair), pairs, seconds. The leader hands the decision to every node
before it applies it, so a learner may apply first: a delay can be negative.
Exit 1 when a put fails or a learner does not apply a slot within 10 s.
"""
import argparse
import http.client
import json
import subprocess
import sys
import time
import urllib.parse

CATCH_UP_S = 10.0


def applied(url):
    """(applied slot, its wall clock in us) from one node's /metrics."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path)
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in ("pifleet_applied_slot", "pifleet_applied_slot_unix_microseconds"):
            values[name] = int(float(value))
    return values["pifleet_applied_slot"], values["pifleet_applied_slot_unix_microseconds"]


def round_delays(leader_url, learner_urls):
    """The learners' delays in ms for the leader's newest slot, or None when a later slot came."""
    slot, leader_us = applied(leader_url)
    delays = []
    for url in learner_urls:
        deadline = time.monotonic() + CATCH_UP_S
        while True:
            learner_slot, learner_us = applied(url)
            if learner_slot >= slot or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if learner_slot < slot:
            sys.exit(f"scale_probe: {url} did not apply slot {slot} within {CATCH_UP_S:.0f} s")
        if learner_slot > slot:
            return None
        delays.append((learner_us - leader_us) / 1000)
    if applied(leader_url)[0] != slot:
        return None
    return delays


def nearest_rank(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pifleet", required=True)
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--decisions", type=int, required=True)
    parser.add_argument("--settle-ms", type=int, default=200)
    parser.add_argument("--raw")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    leader_url, learner_urls = args.urls[0], args.urls[1:]
    every, spread, pairs, discarded, n = [], [], [], 0, 0
    raw = open(args.raw, "w") if args.raw else None
    start = time.monotonic()
    while len(every) < args.decisions:
        if discarded > args.decisions:
            sys.exit(f"scale_probe: {discarded} rounds discarded (decisions kept coming)")
        n += 1
        put = subprocess.run([args.pifleet, "--endpoints", args.endpoint, "--key-file",
                              args.key_file, "kv", "put", f"scale/{n}", "x"],
                             stdout=subprocess.DEVNULL, check=False)
        if put.returncode != 0:
            sys.exit(f"scale_probe: put {n} failed (exit {put.returncode})")
        time.sleep(args.settle_ms / 1000)
        delays = round_delays(leader_url, learner_urls)
        if delays is None:
            discarded += 1
            continue
        every.append(max(delays))
        spread.append(max(delays) - min(delays))
        pairs += delays
        if raw:
            raw.write(" ".join(f"{d:.3f}" for d in delays) + "\n")
        if len(every) % 10 == 0:
            print(f"  scale: {len(every)}/{args.decisions} decisions, last learner "
                  f"{every[-1]:.1f} ms", file=sys.stderr)
    print(json.dumps({
        "decisions": len(every), "discarded": discarded,
        "every_p50_ms": round(nearest_rank(every, 0.5), 2),
        "every_p99_ms": round(nearest_rank(every, 0.99), 2),
        "every_max_ms": round(max(every), 2),
        "spread_p99_ms": round(nearest_rank(spread, 0.99), 2),
        "one_p50_ms": round(nearest_rank(pairs, 0.5), 2),
        "one_p99_ms": round(nearest_rank(pairs, 0.99), 2),
        "pairs": len(pairs), "seconds": round(time.monotonic() - start, 1)},
        separators=(",", ":")))


if __name__ == "__main__":
    main()
