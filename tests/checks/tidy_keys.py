#!/usr/bin/env python3
"""Usage: tidy_keys.py SOURCE_DIR BUILD_DIR UNIT...
Prints "KEY UNIT" for each translation unit given: a hash of what clang-tidy's verdict on it
depends on (its compile command with the checkout's paths taken out, the contents of its source
and of every header the build's last compile of it read, .clang-tidy, the clang-tidy version),
so that another clone of the same sources gets the same keys. KEY is "-" when the headers are not known (no
ninja deps for the unit's object): such a unit is always checked. Used by check_tidy.sh to skip
units that were clean with the same inputs."""
import hashlib
import json
import os
import subprocess
import sys


def object_deps(build):
    """{object path: [dependency paths]} from ninja's deps log, or {} when there is none."""
    try:
        out = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    deps, current = {}, None
    for line in out.splitlines():
        if not line.strip():
            current = None
        elif not line.startswith(" "):
            current = line.split(":", 1)[0]
            deps[current] = []
        elif current is not None:
            deps[current].append(line.strip())
    return deps


def main():
    src, build, units = os.path.realpath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    config = os.path.join(src, ".clang-tidy")
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True).stdout
    with open(config, "rb") as f:
        base = hashlib.sha256(f.read() + version.encode()).hexdigest()
    commands = {}
    try:
        with open(os.path.join(build, "compile_commands.json")) as f:
            for entry in json.load(f):
                path = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
                commands[path] = entry
    except (OSError, ValueError):
        pass
    deps = object_deps(build)
    file_hashes = {}

    def file_hash(path):
        if path not in file_hashes:
            try:
                with open(path, "rb") as f:
                    file_hashes[path] = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                file_hashes[path] = "missing"
        return file_hashes[path]

    for unit in units:
        entry = commands.get(os.path.realpath(unit))
        words = entry["command"].split() if entry else []
        obj = words[words.index("-o") + 1] if "-o" in words[:-1] else None
        if entry is None or obj not in deps:
            print("-", unit)
            continue
        command = entry["command"].replace(os.path.realpath(build), "@BUILD@").replace(src, "@SRC@")
        key = hashlib.sha256((base + command).encode())
        key.update(file_hash(unit).encode())
        for dep in deps[obj]:
            key.update(file_hash(os.path.normpath(os.path.join(entry["directory"], dep))).encode())
        print(key.hexdigest(), unit)


if __name__ == "__main__":
    main()
