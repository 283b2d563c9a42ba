#!/usr/bin/env bash
# The systemd notify protocol, with a NOTIFY_SOCKET this test creates (a unix datagram socket
# read by python3) and WATCHDOG_USEC set: a joining agent pings the watchdog but says nothing
# of READY=1 while the node it joins through is down; once that seed is up it sends READY=1 and
# STATUS= lines naming its role and leader; SIGTERM brings STOPPING=1 and exit code 0.
source "$(dirname "$0")/lib.sh"

python3 - "$PIFLEET" "$WORK" "$(addr 1)" "$(addr 2)" <<'PY'
import os, re, signal, socket, subprocess, sys, time

pifleet, work, seed_addr, joiner_addr = sys.argv[1:5]
key = os.path.join(work, "cluster.key")
path = os.path.join(work, "notify.sock")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
messages = []  # (seconds since start, one assignment)
start = time.monotonic()

def fail(text):
    print("FAIL:", text)
    for at, line in messages[-20:]:
        print(f"  {at:7.3f} {line}")
    sys.exit(1)

def collect(seconds):
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        sock.settimeout(left)
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            return
        for line in data.split("\n"):
            if line:
                messages.append((time.monotonic() - start, line))

def agent(n, *flags, env=None):
    log = open(os.path.join(work, f"n{n}.log"), "ab")
    addr = seed_addr if n == 1 else joiner_addr
    return subprocess.Popen([pifleet, "agent", "--data-dir", os.path.join(work, f"n{n}"),
                             "--listen", addr, "--key-file", key, "--name", f"n{n}",
                             "--metrics-listen", "", *flags], stdout=log, stderr=log, env=env)

env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="400000")  # pings every 200 ms
joiner = agent(2, "--join", seed_addr, env=env)
seed = None
try:
    collect(3.0)
    pings = [at for at, line in messages if line == "WATCHDOG=1"]
    if any(line == "READY=1" for _, line in messages):
        fail("READY=1 before the node joined anything")
    if len(pings) < 5:
        fail(f"{len(pings)} watchdog pings in 3 s while joining (one per 200 ms expected)")
    print(f"joining: {len(pings)} WATCHDOG=1 in 3 s, no READY=1")

    seed_env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC")}
    seed = agent(1, "--seed", "--voters", "1", env=seed_env)
    seed_started = time.monotonic() - start
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(l == "READY=1" for _, l in messages):
        collect(0.5)
    ready = [at for at, line in messages if line == "READY=1"]
    if len(ready) != 1:
        fail(f"READY=1 sent {len(ready)} times within 30 s of the seed's start")
    print(f"READY=1 {ready[0] - seed_started:.2f} s after the seed started")
    collect(2.5)  # STATUS= is refreshed every second
    statuses = [line for _, line in messages if line.startswith("STATUS=")]
    if not any(re.match(r"STATUS=(learner|follower), leader [1-9][0-9]*, ", s) for s in statuses):
        fail(f"no STATUS= with role and leader after READY=1: {statuses[-3:]}")
    print(f"{statuses[-1]}")
    pings_after = [at for at, line in messages if line == "WATCHDOG=1" and at > ready[0]]
    if len(pings_after) < 5:
        fail(f"only {len(pings_after)} watchdog pings in 2.5 s after READY=1")
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    print(f"watchdog: {len(pings_after)} pings after READY=1; largest gap while joining {max(gaps):.2f} s")

    joiner.send_signal(signal.SIGTERM)
    code = joiner.wait(timeout=20)
    collect(0.5)
    if code != 0:
        fail(f"exit code {code} after SIGTERM")
    if not any(line == "STOPPING=1" for _, line in messages):
        fail("no STOPPING=1 after SIGTERM")
    stopping_at = max(at for at, line in messages if line == "STOPPING=1")
    if any(line == "WATCHDOG=1" and at > stopping_at for at, line in messages):
        fail("watchdog pings after STOPPING=1")
    print("SIGTERM: STOPPING=1, exit code 0")
finally:
    for process in (joiner, seed):
        if process and process.poll() is None:
            process.kill()
            process.wait()
PY
check_logs_clean
echo "notify_test: READY=1 only once joined, STATUS= with role and leader, WATCHDOG=1 pings, STOPPING=1"
