#!/usr/bin/env python3
"""The table of tests/bench/run: its rows (tab-separated: section, what, unit, pifleet, etcd,
target) with the ratio pifleet / etcd and whether each target is met; printed, and with --write
also written with the command and the machine to a Markdown file (tests/bench/RESULTS.md).
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
    lines = ["| section | measure | unit | pifleet | etcd 3.4 | pifleet / etcd | target |",
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
    with open(args.write, "w") as out:
        out.write("# Benchmark results (written by tests/bench/run)\n\n"
                  f"Measured {when} with `{args.command}`. How each figure is made: "
                  "docs/testing.md, \"Benchmarks\".\n\n" + text + "\n\n## Machine\n\n" +
                  "\n".join(machine(args.work)) + "\n\n## Raw lines\n\n```\n" + loads + "```\n")
    print(f"written to {args.write}")


if __name__ == "__main__":
    main()
