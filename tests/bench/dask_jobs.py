#!/usr/bin/env python3
"""Dask distributed's side of tests/bench/run jobs: the same items as the pifleet job, in equal
tasks, each running the same builtin (`pifleet job run-builtin`, so the work per item is the very
same code), on the workers already started in their cgroups. Prints one JSON line:
{"tasks": N, "makespan_s": X, "digest": HEX} (the XOR of the tasks' digests, as pifleet's
results fold). With --cut-after-s S, runs --cut-command S seconds after the submit (a worker's
quota cut halfway).
Usage: dask_jobs.py SCHEDULER PIFLEET ITEMS ROUNDS TASKS WORKERS [--cut-after-s S --cut-command C]
"""
import argparse
import json
import subprocess
import threading
import time

from distributed import Client


def run_chunk(pifleet, start, end, rounds):
    out = subprocess.run([pifleet, "job", "run-builtin", "--items", f"{start}..{end - 1}",
                          "--rounds", str(rounds), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["digest"]


def main():
    parser = argparse.ArgumentParser()
    for name in ("scheduler", "pifleet"):
        parser.add_argument(name)
    for name in ("items", "rounds", "tasks", "workers"):
        parser.add_argument(name, type=int)
    parser.add_argument("--cut-after-s", type=float, default=0)
    parser.add_argument("--cut-command", default="")
    args = parser.parse_args()
    client = Client(args.scheduler, timeout=60)
    client.wait_for_workers(args.workers, timeout=180)
    bounds = [args.items * i // args.tasks for i in range(args.tasks + 1)]
    cut = None
    if args.cut_after_s > 0:
        cut = threading.Timer(args.cut_after_s, subprocess.run, [args.cut_command],
                              {"shell": True, "check": True})
    started = time.monotonic()
    if cut:
        cut.start()
    futures = client.map(run_chunk, [args.pifleet] * args.tasks, bounds[:-1], bounds[1:],
                         [args.rounds] * args.tasks, pure=False)
    digests = client.gather(futures)
    makespan_s = time.monotonic() - started
    if cut:
        cut.join()
    folded = 0
    for digest in digests:
        folded ^= int(digest, 16)
    print(json.dumps({"tasks": args.tasks, "makespan_s": round(makespan_s, 3),
                      "digest": f"{folded:064x}"}))
    client.close()


if __name__ == "__main__":
    main()
