#!/usr/bin/env python3
"""The table of tests/bench/run: its rows (tab-separated: section, what, unit, pifleet, etcd,
target) with the ratio pifleet / etcd and whether each target is met; printed, and with --write
also written with the command and the machine to a Markdown file (tests/bench/RESULTS.md). A run
of some modes replaces their sections in that file and keeps the others, each section saying
when and by which command it was measured, and keeps the sections written there by hand.
Usage: report.py ROWS --command TEXT --work DIR [--write FILE]
"""
import argparse
import datetime
import os
import platform
import re
import subprocess


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def verdict(target, pifleet, ratio):
    """'met' or 'missed by ...' for a target "ratio>=X", "ratio<=X" or "pifleet<=X"."""
    match = re.fullmatch(r"(ratio|pifleet)(>=|<=)([0-9.]+)", target)
    if not match:
        return ""
    what, op, bound = match.group(1), match.group(2), float(match.group(3))
    value = ratio if what == "ratio" else pifleet
    if value is None:
        return "not measured"
    met = value >= bound if op == ">=" else value <= bound
    shown = f"{what} {op} {match.group(3)}"
    return f"{shown}: met" if met else f"{shown}: missed ({fmt(value, '')})"


def fmt(value, text):
    if value is None:
        return text
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(rows):
    lines = ["| section | measure | unit | pifleet | other: etcd 3.4 (jobs: as named) | pifleet / other "
             "| target |",
             "|---|---|---|---:|---:|---:|---|"]
    for section, what, unit, p_text, e_text, target in rows:
        p, e = number(p_text), number(e_text)
        # A ratio of a negative figure (an event seen before its put's acknowledgement) says nothing.
        ratio = p / e if p is not None and p >= 0 and e is not None and e > 0 else None
        lines.append(f"| {section} | {what} | {unit} | {fmt(p, p_text)} | {fmt(e, e_text)} | "
                     f"{'' if ratio is None else f'{ratio:.2f}'} | {verdict(target, p, ratio)} |")
    return "\n".join(lines)


def output_of(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def machine(work):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.machine())
    source, fstype = output_of("df", "--output=source,fstype", work).splitlines()[-1].split()
    device = os.path.basename(source)
    rotational = output_of("cat", f"/sys/block/{device}/queue/rotational") or "?"
    return [f"- CPU: {os.cpu_count()} × {cpu} (nproc {output_of('nproc')})",
            f"- kernel: {platform.release()}",
            f"- load average when the table was written (1, 5, 15 min; the benchmark's own load "
            f"included): {' '.join(open('/proc/loadavg').read().split()[:3])}",
            f"- disk of the data dirs: {source} ({fstype}, rotational {rotational})",
            f"- pifleet: {output_of(os.environ.get('PIFLEET', 'pifleet'), '--version').splitlines()[0]}",
            f"- etcd: {output_of('etcd', '--version').splitlines()[0]}",
            f"- wrk: {output_of('dpkg-query', '-W', '-f=${Version}', 'wrk')}"]


TARGET = re.compile(r"(ratio|pifleet) (>=|<=) ([0-9.]+)")
MEASURED = re.compile(r"^- `([^`]+)`: measured (.+) with `([^`]+)`$")


def earlier(path, sections):
    """The rows, measured lines and raw lines of `path` for sections not in `sections`."""
    if not os.path.exists(path):
        return [], [], ""
    text = open(path).read()
    rows, measured = [], []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 7 and cells[0] not in ("section",) + sections:
            target = TARGET.match(cells[6])
            rows.append(cells[:3] + [cells[3].replace(",", ""), cells[4].replace(",", ""),
                                     "".join(target.groups()) if target else "-"])
        match = MEASURED.match(line)
        if match and match.group(1) not in sections:
            measured.append(line)
    kept = sorted({row[0] for row in rows})
    old = re.search(r"^Measured (.+) with `([^`]+)`\.", text, re.M)  # the one-run format
    if old:
        measured += [f"- `{section}`: measured {old.group(1)} with `{old.group(2)}`"
                     for section in kept]
    raw = text.split("## Raw lines", 1)[1].strip().strip("`").strip() if "## Raw lines" in text else ""
    return rows, measured, raw


def hand_sections(path):
    """The sections written by hand (## headings other than the machine and the raw lines)."""
    if not os.path.exists(path):
        return ""
    blocks = re.split(r"^(?=## )", open(path).read(), flags=re.M)[1:]
    kept = "".join(b for b in blocks if not b.startswith(("## Machine", "## Raw lines")))
    return kept.strip() + "\n\n" if kept.strip() else ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows")
    parser.add_argument("--command", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--write")
    args = parser.parse_args()
    rows = [line.rstrip("\n").split("\t") for line in open(args.rows) if line.strip()]
    text = table(rows)
    print(text)
    if not args.write:
        return
    loads = open(os.path.join(args.work, "loads.txt")).read() if os.path.exists(
        os.path.join(args.work, "loads.txt")) else ""
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = tuple(dict.fromkeys(row[0] for row in rows))
    old_rows, measured, old_raw = earlier(args.write, sections)
    by_hand = hand_sections(args.write)
    measured += [f"- `{section}`: measured {when} with `{args.command}`" for section in sections]
    with open(args.write, "w") as out:
        out.write("# Benchmark results (written by tests/bench/run)\n\n"
                  "How each figure is made: docs/testing.md, \"Benchmarks\". Each section was "
                  "measured by one run (a run of some modes keeps the other sections):\n\n" +
                  "\n".join(sorted(measured)) + "\n\n" + table(old_rows + rows) + "\n\n" +
                  by_hand + "## Machine (of the latest run)\n\n" + "\n".join(machine(args.work)) +
                  "\n\n## Raw lines\n\n```\n" + loads + old_raw + ("\n" if old_raw else "") +
                  "```\n")
    print(f"written to {args.write}")


if __name__ == "__main__":
    main()
