#!/usr/bin/env python3
"""Watches a fixture sysfs LED's brightness file and names the docs/leds.md pattern it shows.

  led_watch.py pattern LED_DIR SECONDS   prints the pattern name, or "unknown ..." with what it saw
  led_watch.py toggles LED_DIR SECONDS   prints how many times the brightness changed

The patterns come from the table in docs/leds.md, so the test checks the agent against the
documentation, not against a copy of the code's table.
"""
import os
import re
import sys
import time

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "leds.md")
SAMPLE_S = 0.004


def patterns():
    out = {}
    row = re.compile(r"^\| `([a-z-]+)` \| ([^|]+) \|")
    section = False
    with open(DOCS) as f:
        for line in f:
            if line.startswith("## "):
                section = line.strip() == "## The language"
            m = row.match(line)
            if not section or not m:
                continue
            steps = []
            for part in m.group(2).split(","):
                level, ms = (part.strip().split() + ["0"])[:2]
                if level == "on" and ms == "0":
                    steps = []  # "on" alone: steady
                    break
                steps.append((level == "on", int(ms)))
            out[m.group(1)] = steps
    return out


def read_level(led_dir):
    # The agent truncates, then writes: an empty read is the middle of a write, not a level.
    with open(os.path.join(led_dir, "brightness")) as f:
        text = f.read().strip()
    return None if text == "" else text != "0"


def watch(led_dir, seconds):
    """The level at the start and the (level, duration_ms) runs between two changes."""
    end = time.monotonic() + seconds
    level = read_level(led_dir)
    while level is None:
        level = read_level(led_dir)
    first = level
    since = None  # the first run is cut by the start of the watch: not timed
    runs = []
    changes = 0
    while time.monotonic() < end:
        time.sleep(SAMPLE_S)
        now_level = read_level(led_dir)
        if now_level is None or now_level == level:
            continue
        now = time.monotonic()
        changes += 1
        if since is not None:
            runs.append((level, round((now - since) * 1000)))
        since = now
        level = now_level
    return first, runs, changes, level


def matches(steps, runs):
    # The runs seen are the pattern's steps in order, from some step on, for at least a full
    # cycle; each within the jitter of a 10 ms loop tick on a loaded machine.
    def close(observed, expected):
        return abs(observed - expected) <= max(45, 0.15 * expected)

    if len(runs) < len(steps):
        return False
    for offset in range(len(steps)):
        if all(steps[(offset + i) % len(steps)][0] == level and
               close(ms, steps[(offset + i) % len(steps)][1])
               for i, (level, ms) in enumerate(runs)):
            return True
    return False


def main():
    mode, led_dir, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    first, runs, changes, last = watch(led_dir, seconds)
    if mode == "toggles":
        print(changes)
        return
    table = patterns()
    if changes == 0:
        steady = [name for name, steps in table.items() if not steps]
        print(steady[0] if first and len(steady) == 1 else "steady-" + ("on" if first else "off"))
        return
    found = [name for name, steps in table.items() if steps and matches(steps, runs)]
    if len(found) == 1:
        print(found[0])
    else:
        print("unknown", found, runs)


if __name__ == "__main__":
    main()
