#!/usr/bin/env python3
"""tests/bench/run scale: how long a decision takes to be applied on every learner.

Each round puts one key through the leader (`pifleet kv put`), waits SETTLE_MS, then reads every
node's /metrics, where each agent keeps its own wall clock times (microseconds since the Unix
epoch): on every node `pifleet_applied_slot` and `pifleet_applied_slot_unix_microseconds` (when
it applied that slot), on the leader also `pifleet_decision_sent_slot` and
`pifleet_decision_sent_unix_microseconds` (when the first datagram of that decision went to the
kernel: the moment it was decided). Two references for each learner's apply of the slot:
- decided: the leader's first decision datagram;
- acknowledged: the leader's apply, the turn of its loop that answers the put. The leader sends
  the decision to every other node before it applies it, so a learner may apply first (a
  negative delay): from here the leader's own sends are left out.
Polling happens after the fact, so its delay is not in the figures; a learner still behind is
read again until it has applied the slot. A round where some node already applied a later slot
(another decision came meanwhile) says nothing about the last learner: it is discarded, counted,
and another round is run in its place.

Usage: scale_probe.py --pifleet BIN --key-file K --endpoint HOST:PORT --decisions N
                      [--settle-ms MS] [--raw FILE] LEADER_URL LEARNER_URL...
Prints one JSON line: decisions, discarded; decided_p50_ms / decided_p99_ms / decided_max_ms
(decided -> applied on the last learner, per decision); acked_p50_ms / acked_p99_ms
(acknowledged -> applied on the last learner); leader_p50_ms / leader_p99_ms (decided ->
acknowledged on the leader); pairs_p50_ms / pairs_p99_ms (decided -> applied on one learner, over
every (decision, learner) pair); seconds. --raw FILE: a line per decision, the leader's delay
then each learner's, in ms from the decision.
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
NAMES = ("pifleet_applied_slot", "pifleet_applied_slot_unix_microseconds",
         "pifleet_decision_sent_slot", "pifleet_decision_sent_unix_microseconds")


def metrics(url):
    """The figures this probe reads from one node's /metrics, by name."""
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
        if name in NAMES:
            values[name] = int(float(value))
    if "pifleet_applied_slot_unix_microseconds" not in values:
        sys.exit(f"scale_probe: {url} exports no pifleet_applied_slot_unix_microseconds (an "
                 "agent older than this benchmark)")
    return values


def applied(url):
    """(applied slot, its wall clock in us) of one node."""
    values = metrics(url)
    return values["pifleet_applied_slot"], values["pifleet_applied_slot_unix_microseconds"]


def round_delays(leader_url, learner_urls):
    """For the leader's newest slot: (decided -> applied on the leader, [decided -> applied on
    each learner], [acknowledged -> applied on each learner]) in ms, or None when a later slot
    came or another node decided this one."""
    leader = metrics(leader_url)
    slot, acked_us = leader["pifleet_applied_slot"], leader["pifleet_applied_slot_unix_microseconds"]
    if leader["pifleet_decision_sent_slot"] != slot:
        return None
    decided_us = leader["pifleet_decision_sent_unix_microseconds"]
    decided, acked = [], []
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
        decided.append((learner_us - decided_us) / 1000)
        acked.append((learner_us - acked_us) / 1000)
    if applied(leader_url)[0] != slot:
        return None
    return (acked_us - decided_us) / 1000, decided, acked


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
    got = {"decided": [], "acked": [], "leader": [], "pairs": []}
    discarded, n = 0, 0
    raw = open(args.raw, "w") if args.raw else None
    start = time.monotonic()
    while len(got["decided"]) < args.decisions:
        if discarded > args.decisions:
            sys.exit(f"scale_probe: {discarded} rounds discarded (decisions kept coming)")
        n += 1
        put = subprocess.run([args.pifleet, "--endpoints", args.endpoint, "--key-file",
                              args.key_file, "kv", "put", f"scale/{n}", "x"],
                             stdout=subprocess.DEVNULL, check=False)
        if put.returncode != 0:
            sys.exit(f"scale_probe: put {n} failed (exit {put.returncode})")
        time.sleep(args.settle_ms / 1000)
        result = round_delays(leader_url, learner_urls)
        if result is None:
            discarded += 1
            continue
        leader, decided, acked = result
        got["leader"].append(leader)
        got["decided"].append(max(decided))
        got["acked"].append(max(acked))
        got["pairs"] += decided
        if raw:
            raw.write(f"{leader:.3f} " + " ".join(f"{d:.3f}" for d in decided) + "\n")
        if len(got["decided"]) % 10 == 0:
            print(f"  scale: {len(got['decided'])}/{args.decisions} decisions, the last learner "
                  f"{got['decided'][-1]:.1f} ms after the decision", file=sys.stderr)
    out = {"decisions": len(got["decided"]), "discarded": discarded}
    for name in ("decided", "acked", "leader", "pairs"):
        out[f"{name}_p50_ms"] = round(nearest_rank(got[name], 0.5), 2)
        out[f"{name}_p99_ms"] = round(nearest_rank(got[name], 0.99), 2)
    out["decided_max_ms"] = round(max(got["decided"]), 2)
    out["seconds"] = round(time.monotonic() - start, 1)
    print(json.dumps(out, separators=(",", ":")))

if __name__ == "__main__":
    main()
