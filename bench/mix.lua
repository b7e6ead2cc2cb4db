-- 80% reads and 20% writes, drawn at random for each request:
--   40% GET secret metadata, 30% GET payload, 10% GET list with the name
--   filter, 15% POST secret (32-byte payload), 5% POST key order.
-- Reads use the seeded secrets of BENCH_PROJECT; writes go to
-- BENCH_WRITE_PROJECT. The orders are only created, not polled.
--   BENCH_DIR, BENCH_PROJECT, BENCH_WRITE_PROJECT, BENCH_IDS, BENCH_READS,
--   BENCH_LIST_QUERY: as in read.lua, list.lua and post_secret.lua
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

local kOrderBody = '{"type": "key", "meta": {"name": "bench-mix-order", "algorithm": "aes", ' ..
  '"bit_length": 256, "mode": "cbc", "payload_content_type": "application/octet-stream"}}'

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  local project = required_env("BENCH_PROJECT")
  local write_project = required_env("BENCH_WRITE_PROJECT")
  local ids = read_lines(required_env("BENCH_IDS"), tonumber(required_env("BENCH_READS")))
  local json = { ["X-Project-Id"] = project, ["Accept"] = "application/json" }
  local octets = { ["X-Project-Id"] = project, ["Accept"] = "application/octet-stream" }
  local writes = {
    ["X-Project-Id"] = write_project,
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
  metadata, payloads = {}, {}
  for i, id in ipairs(ids) do
    metadata[i] = wrk.format("GET", "/v1/secrets/" .. id, json)
    payloads[i] = wrk.format("GET", "/v1/secrets/" .. id .. "/payload", octets)
  end
  list_request = wrk.format("GET", "/v1/secrets?" .. required_env("BENCH_LIST_QUERY"), json)
  posts = {}
  for i, body in ipairs(secret_bodies(64)) do
    posts[i] = wrk.format("POST", "/v1/secrets", writes, body)
  end
  order_request = wrk.format("POST", "/v1/orders", writes, kOrderBody)
end

function request()
  local draw = math.random(1, 100)
  if draw <= 40 then return metadata[math.random(1, #metadata)] end
  if draw <= 70 then return payloads[math.random(1, #payloads)] end
  if draw <= 80 then return list_request end
  if draw <= 95 then return posts[math.random(1, #posts)] end
  return order_request
end
