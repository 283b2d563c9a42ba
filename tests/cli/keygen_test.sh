#!/usr/bin/env bash
# pifleet keygen: a parseable 256-bit key, private file modes, no silent overwrite.
set -euo pipefail
pifleet=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "keygen_test: $*"; exit 1; }

umask 022
"$pifleet" keygen > "$tmp/stdout.key"
[ "$(stat -c %a "$tmp/stdout.key")" = 600 ] || fail "stdout key file mode $(stat -c %a "$tmp/stdout.key"), want 600"
key=$(cat "$tmp/stdout.key")
[ "${#key}" -eq 44 ] || fail "key '$key' is not 44 base64 characters"
[ "$(printf '%s' "$key" | base64 -d | wc -c)" -eq 32 ] || fail "key does not decode to 32 bytes"

"$pifleet" keygen --out "$tmp/out.key"
[ "$(stat -c %a "$tmp/out.key")" = 600 ] || fail "--out file mode is not 600"
[ "$(cat "$tmp/out.key")" != "$key" ] || fail "two keys are equal"

if "$pifleet" keygen --out "$tmp/out.key" 2> "$tmp/err"; then fail "overwrote an existing key"; fi
grep -q -- '--force' "$tmp/err" || fail "refusal does not mention --force: $(cat "$tmp/err")"
"$pifleet" keygen --out "$tmp/out.key" --force
rc=0; "$pifleet" keygen --out /nonexistent-dir/k 2> "$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || fail "exit code $rc for an unwritable path, want 1"
grep -q 'cannot create /nonexistent-dir/k' "$tmp/err" || fail "unclear error: $(cat "$tmp/err")"
echo "keygen_test: ok"
