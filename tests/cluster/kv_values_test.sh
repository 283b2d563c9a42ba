#!/usr/bin/env bash
# Values and answers of `pifleet kv` (issue 13 "Big values", the missing-key exit code):
# a 64 KiB value from --file and from stdin is stored whole and read back from every node
# (fragmented on the wire, in the log and in catch-up); one byte more fails at once with exit 1
# and the sizes, not with a timeout; an empty value (exit 0) is told apart from an absent key
# (exit 4), in text and in --json.
source "$(dirname "$0")/lib.sh"

start_three_voters
all=$(endpoints 1 2 3)

python3 -c "import os,sys; sys.stdout.buffer.write(os.urandom(65536).hex().encode()[:65536])" > "$WORK/big"
[ "$(wc -c < "$WORK/big")" -eq 65536 ] || fail "test file is not 64 KiB"
cli --endpoints "$all" kv put big --file "$WORK/big" | grep -qx OK || fail "64 KiB put from --file failed"
tr 'a-f' 'A-F' < "$WORK/big" > "$WORK/big2"
cli --endpoints "$all" kv put big2 --file - < "$WORK/big2" | grep -qx OK ||
  fail "64 KiB put from stdin failed"
{ cat "$WORK/big"; printf '\n'; } > "$WORK/want"
{ cat "$WORK/big2"; printf '\n'; } > "$WORK/want2"
holds_big2() {  # node $1's own state (no log round) holds the stdin value
  cli --endpoints "$(addr "$1")" kv get big2 --consistency local > "$WORK/got2" &&
    cmp -s "$WORK/got2" "$WORK/want2"
}
for n in 1 2 3; do
  cli --endpoints "$(addr "$n")" kv get big > "$WORK/got" || fail "kv get big from node $n failed"
  cmp -s "$WORK/got" "$WORK/want" || fail "node $n read back a different 64 KiB value"
  wait_until 10 holds_big2 "$n" || fail "node $n does not hold the stdin value"
done
echo "64 KiB values from --file and stdin read back from every node"

head -c 65537 /dev/zero | tr '\0' 'x' > "$WORK/too-big"
start=$(date +%s%N)
rc=0
TIMEOUT_MS=30000 cli --endpoints "$all" kv put huge --file "$WORK/too-big" 2> "$WORK/err" || rc=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" -eq 1 ] || fail "a 65537-byte value exited $rc, not 1"
grep -q "value of 65537 bytes exceeds the limit of 65536" "$WORK/err" || fail "message: $(cat "$WORK/err")"
# Well under the 30 s request timeout: refused before anything is sent (process start included).
[ "$elapsed_ms" -lt 10000 ] || fail "the refusal took $elapsed_ms ms"
echo "65537 bytes: exit 1 in $elapsed_ms ms: $(cat "$WORK/err")"

cli --endpoints "$all" kv put empty "" > /dev/null || fail "put of an empty value failed"
out=$(cli --endpoints "$all" kv get empty) || fail "kv get of an empty value exited $?"
[ -z "$out" ] || fail "empty value read as '$out'"
rc=0; out=$(cli --endpoints "$all" kv get missing 2> /dev/null) || rc=$?
[ "$rc" -eq 4 ] || fail "kv get of a missing key exited $rc, not 4"
[ -z "$out" ] || fail "a missing key printed '$out'"
rc=0; cli --endpoints "$(addr 2)" kv get missing --consistency local > /dev/null 2>&1 || rc=$?
[ "$rc" -eq 4 ] || fail "local kv get of a missing key exited $rc, not 4"
json=$(cli --endpoints "$all" kv get empty --json) || fail "kv get --json empty failed"
python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert {k: d[k] for k in ('key','found','value','version')}=={'key':'empty','found':True,'value':'','version':1} and d['mod_revision']>=d['create_revision']>0, d" "$json" ||
  fail "--json of an empty value: $json"
rc=0; json=$(cli --endpoints "$all" kv get missing --json) || rc=$?
[ "$rc" -eq 4 ] || fail "kv get --json of a missing key exited $rc"
python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d=={'key':'missing','found':False}, d" "$json" ||
  fail "--json of a missing key: $json"
echo "empty value: exit 0, \"found\":true; missing key: exit 4, \"found\":false"
check_logs_clean
echo "PASS"
