#!/usr/bin/env bash
# Issue 13's smaller items, end to end: each mistake gets the exit code docs/cli.md gives it and
# a message naming it, and a usage mistake leaves the data dir untouched.
set -euo pipefail
pifleet=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "usage_test: $*"; exit 1; }

# expect CODE TEXT CMD...: CMD exits CODE and its stderr holds TEXT.
expect() {
  local want=$1 text=$2 rc=0; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
  [ "$rc" = "$want" ] || fail "$* exited $rc, want $want: $(cat "$tmp/err")"
  grep -q -- "$text" "$tmp/err" || fail "$*: message lacks '$text': $(cat "$tmp/err")"
  echo "ok: exit $rc: $(head -n 1 "$tmp/err")"
}

"$pifleet" keygen --out "$tmp/cluster.key"
# A bound on each run: an agent that wrongly starts would otherwise run on.
agent() { timeout 20 "$pifleet" agent --data-dir "$tmp/data" --key-file "$tmp/cluster.key" --metrics-listen "" "$@"; }

expect 2 "is a directory" agent --config "$tmp" --seed
expect 2 "discover_interval_ms" agent --discover-interval-ms 5 --seed
expect 2 "1, 3, 5 or 7" agent --voters 4 --seed
expect 2 "listen '127.0.0.1'" agent --listen 127.0.0.1 --seed
expect 2 "join '127.0.0.1:x'" agent --listen 127.0.0.1:7999 --join 127.0.0.1:x
[ ! -e "$tmp/data" ] || fail "a usage error touched the data dir: $(ls -A "$tmp/data")"

chmod 0644 "$tmp/cluster.key"
expect 1 "chmod 600" agent --listen 127.0.0.1:7999 --seed
[ ! -e "$tmp/data/node.meta" ] || fail "a refused key file still wrote node.meta"
chmod 0600 "$tmp/cluster.key"

expect 2 "not a node id" "$pifleet" --key-file "$tmp/cluster.key" leave notanumber
expect 2 "not a node id" "$pifleet" --key-file "$tmp/cluster.key" leave 12x
expect 1 "cannot read the cluster key" "$pifleet" --key-file "$tmp/missing.key" status
expect 1 "cannot read the cluster key" "$pifleet" --key-file "$tmp/missing.key" members
echo "usage_test: ok"
