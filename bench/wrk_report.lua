-- Status counting and the result line shared by every wrk scenario script.
-- A scenario script loads this file with dofile() and then defines init()
-- and request(). The result line, printed by done(), is parsed by
-- bench/lib.sh:
--   RESULT requests=N seconds=S rps=X p50_ms=X p99_ms=X p999_ms=X non2xx=N socket_errors=N last_bad_status=N

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad_responses = (bad_responses or 0) + 1
    last_bad_status = status
  end
end

function done(summary, latency, requests)
  local non_2xx = 0
  local last_bad = 0
  for _, thread in ipairs(threads) do
    non_2xx = non_2xx + (thread:get("bad_responses") or 0)
    last_bad = thread:get("last_bad_status") or last_bad
  end
  local errors = summary.errors
  local read_errors = errors.read
  if os.getenv("BENCH_CLOSE_DELIMITED") == "1" then
    -- The server ends every response by closing the connection, without
    -- Content-Length, and wrk counts each of those closes as a read error.
    read_errors = math.max(0, read_errors - summary.requests)
  end
  local socket_errors = errors.connect + read_errors + errors.write + errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f non2xx=%d socket_errors=%d last_bad_status=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    non_2xx, socket_errors, last_bad))
end

-- Returns the value of environment variable `name`, or fails with its name.
function required_env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("environment variable " .. name .. " is not set")
  end
  return value
end

-- Returns the first `limit` lines of file `path` as a table.
function read_lines(path, limit)
  local lines = {}
  for line in io.lines(path) do
    if #lines >= limit then break end
    if line ~= "" then table.insert(lines, line) end
  end
  if #lines == 0 then error("no lines in " .. path) end
  return lines
end

-- Returns standard base64 of the string `bytes`.
function base64(bytes)
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local out = {}
  for i = 1, #bytes, 3 do
    local a, b, c = bytes:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = {}
    for shift = 18, 0, -6 do
      local index = math.floor(n / 2 ^ shift) % 64
      table.insert(chars, alphabet:sub(index + 1, index + 1))
    end
    if c == nil then chars[4] = "=" end
    if b == nil then chars[3] = "=" end
    table.insert(out, table.concat(chars))
  end
  return table.concat(out)
end

-- Returns `count` JSON bodies of POST /v1/secrets, each with a different
-- random 32-byte payload.
function secret_bodies(count)
  local bodies = {}
  for i = 1, count do
    local raw = {}
    for j = 1, 32 do raw[j] = string.char(math.random(0, 255)) end
    bodies[i] = '{"name": "bench-post", "payload": "' .. base64(table.concat(raw)) ..
      '", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"}'
  end
  return bodies
end
