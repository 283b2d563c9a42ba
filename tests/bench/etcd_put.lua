-- wrk script for tests/bench/run: each request puts a distinct key through etcd's gRPC JSON
-- gateway (POST /v3/kv/put), so that etcd gets the workload `pifleet bench put` gives pifleet:
-- one request in flight per connection, keys of KEY_BYTES and values of VALUE_BYTES.
--   wrk -t T -c CLIENTS -d S -s etcd_put.lua http://127.0.0.1:PORT -- KEY_BYTES VALUE_BYTES
-- The gateway wants keys and values in base64. Rather than encode each key, the script writes
-- the base64 text itself: decimal digits are base64 characters, so the thread and a counter in
-- whole 4-character groups decode to distinct keys of the asked length (a tail group encodes
-- the 1 or 2 bytes past a multiple of 3). done() prints one JSON line for the harness.
local threads = {}
local counter = 0
local key_groups, key_tail, value_b64

-- The base64 text of n bytes: whole groups of `group` (3 bytes each), then the 1 or 2 left over.
local function tail_of(n, one, two)
  if n % 3 == 1 then return one elseif n % 3 == 2 then return two end
  return ""
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local key_bytes = tonumber(args[1]) or 16
  local value_bytes = tonumber(args[2]) or 256
  key_groups = math.floor(key_bytes / 3)
  key_tail = tail_of(key_bytes, "Lg==", "Li4=")  -- "." and ".."
  value_b64 = string.rep("dnZ2", math.floor(value_bytes / 3)) .. tail_of(value_bytes, "dg==", "dnY=")
  wrk.method = "POST"
  wrk.path = "/v3/kv/put"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local digits = string.format("%04d%016d", id, counter)
  local text = digits .. string.rep("A", 4 * key_groups - #digits)
  local key = string.sub(text, 1, 4 * key_groups) .. key_tail
  return wrk.format(nil, nil, nil, '{"key":"' .. key .. '","value":"' .. value_b64 .. '"}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"status_errors":%d,"errors":%d,"duration_us":%d,"p50_ms":%.3f,"p99_ms":%.3f}\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
