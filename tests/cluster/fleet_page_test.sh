#!/usr/bin/env bash
# The fleet page in a real browser (issue 19): three agents and a running job; headless Chromium
# loads http://127.0.0.1:PORT/ from the first agent's local listener, and the rows it draws (one
# per member: name, node id, role, an LED, a capacity bar) must be `pifleet members --json`'s.
# A member name holding HTML shows as text. /v1/status, /v1/members and /v1/jobs are JSON for
# scripts; a DNS name that is not loopback is refused. Saves a screenshot as
# $PIFLEET_SCREENSHOT_DIR/fleet-page.png (the build dir) for docs/fleet-page.md.
source "$(dirname "$0")/lib.sh"
command -v curl > /dev/null || { echo "SKIPPED: no curl"; exit 0; }
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "SKIPPED: no chromium (scripts/setup installs Debian's chromium)"; exit 0; }

page=127.0.0.1:$(port 40)
METRICS_LISTEN=$page start_agent 1 --seed --voters 3
wait_until 20 has_leader 1 || fail "the seed did not come up"
start_agent 2 --join "$(addr 1)"
# A name a careless page would turn into markup.
"$PIFLEET" agent --data-dir "$WORK/n3" --listen "$(addr 3)" --key-file "$WORK/cluster.key" \
  --name '<b>n3</b>' --metrics-listen "" --join "$(addr 1)" >> "$WORK/n3.log" 2>&1 &
PIDS[3]=$!
wait_until 30 is_voter_count 1 3 || fail "autopilot did not make 3 voters"
all=$(endpoints 1 2 3)
# A job that still runs when the screenshot is taken: each chunk sleeps a second.
cli --endpoints "$all" job submit --name page-demo --items 0..399 --chunk-min 5 -- \
  sh -c 'sleep 1; echo "$PIFLEET_ITEM_START-$PIFLEET_ITEM_END"' > /dev/null
wait_until 20 sh -c "curl -sf http://$page/v1/jobs | grep -q '\"committed_items\":[1-9]'" ||
  fail "the job made no progress"

# The JSON, as a script reads it. A capacity is live (a core's speed measured again, the load
# of the job), so the page is read between two CLI listings and compared only when those two
# agree; a real disagreement fails every try.
json_agrees_with_cli() {
  local path
  cli --endpoints "$(addr 1)" members --json > "$WORK/cli-before.json" || return 1
  for path in v1/status v1/members v1/jobs; do
    curl -sf "http://$page/$path" > "$WORK/$(basename "$path").json" || fail "GET /$path failed"
  done
  cli --endpoints "$(addr 1)" members --json > "$WORK/cli-members.json" || return 1
  python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
status = json.load(open(f"{work}/status.json"))
members = json.load(open(f"{work}/members.json"))
jobs = json.load(open(f"{work}/jobs.json"))
cli = json.load(open(f"{work}/cli-members.json"))
keys = ("name", "address", "voting", "role", "version", "capacity_milli")
def rows(listing):
    return {r["node_id"]: [r[k] for k in keys] for r in listing}
if rows(json.load(open(f"{work}/cli-before.json"))) != rows(cli):
    sys.exit("the members changed between the two CLI listings: read again")
assert status["role"] == "leader" and status["leader_id"] == status["node_id"], status
assert status["leader_changes"][-1]["leader_id"] == status["node_id"], status["leader_changes"]
page_rows = {m["node_id"]: m for m in members["members"]}
assert len(page_rows) == 3 and members["leader_id"] == status["node_id"], members
for row in cli:
    mine = page_rows[row["node_id"]]
    for key in keys:
        assert mine[key] == row[key], (key, mine, row)
    assert mine["led"] in ("leader", "follower", "hot-throttled"), mine
assert page_rows[status["node_id"]]["led_source"] == "own"
job = jobs["jobs"][0]
assert job["name"] == "page-demo" and job["items"] == 400 and job["workers"], job
print(f"JSON: {len(cli)} members as the CLI lists them, job at {job['committed_items']}/400")
PY
}
agreed=false
for _ in 1 2 3 4 5 6 7 8; do
  if json_agrees_with_cli; then agreed=true; break; fi
  sleep 1
done
$agreed || fail "the JSON endpoints disagree with the CLI"

# Host checks: a rebinding DNS name gets 403 from a loopback listener.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: rebind.example' "http://$page/v1/members")
[ "$code" = 403 ] || fail "a non-loopback Host got $code, want 403"
bytes=0
for file in / /fleet.css /fleet.js; do
  bytes=$((bytes + $(curl -sf "http://$page$file" | wc -c)))
done
echo "page: $bytes bytes embedded (index.html, fleet.css, fleet.js)"

# The browser. Chromium runs as root here only without its sandbox; its profile is ours.
browse() {
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$WORK/chromium" --window-size=1280,900 --virtual-time-budget=4000 "$@" \
    "http://$page/" 2> "$WORK/chromium.log"
}
start_ms=$(( $(date +%s%N) / 1000000 ))
browse --dump-dom > "$WORK/page.html" || fail "chromium failed: $(tail -n 5 "$WORK/chromium.log")"
dom_ms=$(( $(date +%s%N) / 1000000 - start_ms ))
cli --endpoints "$(addr 1)" members --json > "$WORK/cli-members.json"
python3 - "$WORK/page.html" "$WORK/cli-members.json" <<'PY' || fail "the page's rows are not the members"
import html.parser, json, sys

class Rows(html.parser.HTMLParser):
    """Collects each members row's cells by class, and any markup inside the name cells."""
    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.markup_in_name, self.first_render = [], None, None, [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body" and "data-first-render-ms" in a:
            self.first_render = a["data-first-render-ms"]
        if tag == "tr" and "data-node-id" in a:
            self.row = {"node_id": int(a["data-node-id"]), "class": a.get("class", "")}
            self.rows.append(self.row)
        elif tag == "td" and self.row is not None:
            self.cell = a.get("class", "").split()[0] if a.get("class") else None
            self.row.setdefault(self.cell, "")
        elif self.cell == "name":
            self.markup_in_name.append(tag)
        if tag == "span" and self.row is not None and "led" in a.get("class", "").split():
            self.row["led_span"] = True
        if tag == "span" and self.row is not None and a.get("class") == "bar":
            self.row["bar"] = True
    def handle_endtag(self, tag):
        if tag == "td": self.cell = None
        if tag == "tr": self.row = None
    def handle_data(self, data):
        if self.row is not None and self.cell:
            self.row[self.cell] += data

parser = Rows()
parser.feed(open(sys.argv[1]).read())
cli = json.load(open(sys.argv[2]))
got = {r["node_id"]: r for r in parser.rows}
assert len(parser.rows) == len(cli) == 3, (parser.rows, cli)
for m in cli:
    r = got[m["node_id"]]
    assert r["name"] == m["name"], (r, m)
    assert r["node"] == str(m["node_id"]), (r, m)
    assert r["role"] in ("leader", m["voting"]), (r, m)
    assert r.get("led_span") and r.get("bar"), f"no LED or capacity bar drawn: {r}"
assert not parser.markup_in_name, f"a member name became markup: {parser.markup_in_name}"
assert any(r["name"] == "<b>n3</b>" for r in parser.rows), "the HTML-like name is not shown as text"
assert sum(r["role"] == "leader" for r in parser.rows) == 1, parser.rows
print(f"browser: {len(parser.rows)} rows match `pifleet members --json`; first render at "
      f"{parser.first_render} ms after navigation start")
PY
echo "chromium --dump-dom took $dom_ms ms (start, load, 4 s of virtual time)"

shot_dir=${PIFLEET_SCREENSHOT_DIR:-$WORK}
browse --screenshot="$shot_dir/fleet-page.png" > /dev/null ||
  fail "chromium could not take a screenshot: $(tail -n 5 "$WORK/chromium.log")"
[ -s "$shot_dir/fleet-page.png" ] || fail "no screenshot at $shot_dir/fleet-page.png"
echo "screenshot: $shot_dir/fleet-page.png"
echo "fleet_page_test: ok"
