#!/usr/bin/env bash
# pifleet agent: a name or cluster name out of bounds (too long, a control character) is refused
# at config load with exit 2 and a message naming the bound, before anything is written; a
# 2,000-character name used to leave a joiner waiting for an answer that never came (issue 13).
set -euo pipefail
pifleet=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "agent_names_test: $*"; exit 1; }

"$pifleet" keygen --out "$tmp/cluster.key"
# refused EXPECTED_MESSAGE ARGS...: exits 2 at once, says EXPECTED_MESSAGE, writes no data dir.
refused() {
  local expected=$1 rc=0; shift
  timeout 10 "$pifleet" agent --data-dir "$tmp/data" --key-file "$tmp/cluster.key" \
    --listen 127.0.0.1:0 --metrics-listen "" "$@" > /dev/null 2> "$tmp/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "exit code $rc for $expected, want 2: $(head -c 300 "$tmp/err")"
  grep -qF -- "$expected" "$tmp/err" || fail "unclear error: $(head -c 300 "$tmp/err")"
  [ ! -e "$tmp/data" ] || fail "a data dir was written for a refused config"
}

refused "name is 2000 bytes long; the limit is 64 bytes" --name "$(printf 'n%.0s' $(seq 2000))" \
  --join 127.0.0.1:9
refused "name holds a control character" --name "$(printf 'pi\033[31m')" --seed
refused "cluster is 65 bytes long; the limit is 64 bytes" --cluster "$(printf 'c%.0s' $(seq 65))" \
  --seed
printf 'name = "a\\tb"\n' > "$tmp/tab.toml"
refused "name holds a control character" --config "$tmp/tab.toml" --seed
echo "agent_names_test: ok"
