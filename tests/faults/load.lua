-- wrk script of the fault tests under load (tests/e2e/faults_load_test.cpp).
--
-- Each request is one of:
--   read    GET /v1/secrets/{id}/payload of a secret created before the run,
--           with Accept: application/octet-stream; the body is compared with
--           the bytes that secret was created with.
--   secret  POST /v1/secrets with 32 random bytes, base64-encoded.
--   order   POST /v1/orders for an AES-256 key.
--
-- Settings come from the environment:
--   LOAD_PROJECT        X-Project-Id of every request (required)
--   LOAD_RESULT_FILE    file that done() writes the results to (required)
--   LOAD_READ_FILE      lines "<secret id> <payload>" of the secrets to read;
--                       payloads are printable ASCII without spaces
--   LOAD_READ_PERCENT   share of reads, 0-100 (default 40; 0 without
--                       LOAD_READ_FILE)
--   LOAD_ORDER_PERCENT  share of orders, 0-100 (default 0); the rest are
--                       secrets
--
-- Run it with as many connections as threads (-t N -c N). A thread then has
-- one connection and at most one request in flight, so each response()
-- belongs to the last request() of its thread. When wrk calls request()
-- again before a response arrived, the connection failed and the earlier
-- request got no response. It is counted as lost.
--
-- The result file has one record per line:
--   status <kind> <code> <count>      responses by kind and HTTP status
--   secret <id> <payload base64>      each 201 of a secret POST
--   order <id>                        each 202 of an order POST
--   lost <kind> <count>               requests whose connection failed
--   unanswered <kind> <count>         requests still in flight at the end
--   mismatch <count>                  reads whose 200 body differed
--   no_ref <count>                    201/202 bodies without an href
--   bad_error_body <count>            5xx responses without a JSON body
--   socket <connect|read|write|timeout> <count>
--   failure_window_ms <first> <last>  wall-clock times, in ms since the
--                                     epoch, of the first and last failure
--                                     (0 0 when none)
--   latency_max_us <microseconds>
--   requests <count>
-- A failure is a lost request or a response other than the kind's success
-- (200 for read, 201 for secret, 202 for order).

local bit = require("bit")
local ffi = require("ffi")

ffi.cdef[[
struct load_timeval { long tv_sec; long tv_usec; };
int gettimeofday(struct load_timeval *tv, void *tz);
]]

-- ------------------------------------------------------------ setup, done
-- (these two run in wrk's main Lua state)

local threads = {}

function setup(thread)
    table.insert(threads, thread)
    thread:set("thread_index", #threads)
end

local function addCount(totals, key, value)
    totals[key] = (totals[key] or 0) + value
end

function done(summary, latency, requests)
    local path = os.getenv("LOAD_RESULT_FILE")
    local out = assert(io.open(path .. ".tmp", "w"))
    local statuses, lost, unanswered = {}, {}, {}
    local mismatches, no_refs, bad_error_bodies = 0, 0, 0
    local first_failure, last_failure = 0, 0

    for _, thread in ipairs(threads) do
        for key, value in pairs(thread:get("status_counts")) do addCount(statuses, key, value) end
        for key, value in pairs(thread:get("lost_counts")) do addCount(lost, key, value) end
        local pending = thread:get("pending_kind")
        if pending then addCount(unanswered, pending, 1) end
        for _, line in ipairs(thread:get("created_secrets")) do out:write("secret ", line, "\n") end
        for _, id in ipairs(thread:get("created_orders")) do out:write("order ", id, "\n") end
        mismatches = mismatches + thread:get("read_mismatches")
        no_refs = no_refs + thread:get("missing_refs")
        bad_error_bodies = bad_error_bodies + thread:get("bad_error_bodies")
        local first, last = thread:get("first_failure_ms"), thread:get("last_failure_ms")
        if first > 0 and (first_failure == 0 or first < first_failure) then first_failure = first end
        if last > last_failure then last_failure = last end
    end

    for key, value in pairs(statuses) do out:write("status ", key, " ", value, "\n") end
    for key, value in pairs(lost) do out:write("lost ", key, " ", value, "\n") end
    for key, value in pairs(unanswered) do out:write("unanswered ", key, " ", value, "\n") end
    out:write("mismatch ", mismatches, "\n")
    out:write("no_ref ", no_refs, "\n")
    out:write("bad_error_body ", bad_error_bodies, "\n")
    out:write(string.format("failure_window_ms %d %d\n", first_failure, last_failure))
    for _, name in ipairs({"connect", "read", "write", "timeout"}) do
        out:write("socket ", name, " ", summary.errors[name], "\n")
    end
    out:write("latency_max_us ", latency.max, "\n")
    out:write("requests ", summary.requests, "\n")
    out:close()
    assert(os.rename(path .. ".tmp", path))
end

-- ------------------------------------------------------------ thread state
-- The counters are globals because done() reads them with thread:get().

status_counts = {}     -- "<kind> <code>" -> count
lost_counts = {}       -- kind -> count
created_secrets = {}   -- "<id> <payload base64>"
created_orders = {}    -- order ids
read_mismatches = 0
missing_refs = 0
bad_error_bodies = 0
first_failure_ms = 0
last_failure_ms = 0
pending_kind = nil     -- kind of the request in flight, nil when none

local pending_payload = nil
local pending_read = nil
local probe_done = false
local reads = {}
local read_percent = 0
local order_percent = 0
local random_source = nil
local headers = {}

local success_status = {read = 200, secret = 201, order = 202}
local clock = ffi.new("struct load_timeval")

local function noteFailure()
    ffi.C.gettimeofday(clock, nil)
    local now = tonumber(clock.tv_sec) * 1000 + math.floor(tonumber(clock.tv_usec) / 1000)
    if first_failure_ms == 0 then first_failure_ms = now end
    last_failure_ms = now
end

local base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64Encode(bytes)
    local parts = {}
    for i = 1, #bytes, 3 do
        local a, b, c = bytes:byte(i, i + 2)
        local n = bit.bor(bit.lshift(a, 16), bit.lshift(b or 0, 8), c or 0)
        local chars = {}
        for shift = 18, 0, -6 do
            local index = bit.band(bit.rshift(n, shift), 63) + 1
            chars[#chars + 1] = base64_alphabet:sub(index, index)
        end
        if not b then
            chars[3], chars[4] = "=", "="
        elseif not c then
            chars[4] = "="
        end
        parts[#parts + 1] = table.concat(chars)
    end
    return table.concat(parts)
end

local function percentSetting(name, default)
    local value = tonumber(os.getenv(name) or default)
    assert(value and value >= 0 and value <= 100, name .. " must be a number from 0 to 100")
    return value
end

function init(args)
    local project = os.getenv("LOAD_PROJECT")
    assert(project and project ~= "", "LOAD_PROJECT is not set")
    headers = {
        ["X-Project-Id"] = project,
        ["X-Roles"] = "admin",
        ["X-User-Id"] = "wrk-load",
    }

    local read_file = os.getenv("LOAD_READ_FILE")
    if read_file and read_file ~= "" then
        for line in io.lines(read_file) do
            local id, payload = line:match("^(%S+) (%S+)$")
            if id then reads[#reads + 1] = {id = id, payload = payload} end
        end
    end
    read_percent = #reads > 0 and percentSetting("LOAD_READ_PERCENT", 40) or 0
    order_percent = percentSetting("LOAD_ORDER_PERCENT", 0)

    random_source = assert(io.open("/dev/urandom", "rb"))
    math.randomseed(os.time() * 100 + (thread_index or 0))
end

local function withHeaders(extra)
    local all = {}
    for name, value in pairs(headers) do all[name] = value end
    for name, value in pairs(extra) do all[name] = value end
    return all
end

local function readRequest()
    pending_read = reads[math.random(#reads)]
    return "read", wrk.format("GET", "/v1/secrets/" .. pending_read.id .. "/payload",
                              withHeaders({["Accept"] = "application/octet-stream"}))
end

local function secretRequest()
    pending_payload = base64Encode(random_source:read(32))
    local body = '{"name": "wrk-load", "payload": "' .. pending_payload ..
                 '", "payload_content_type": "application/octet-stream", "payload_content_encoding": "base64"}'
    return "secret", wrk.format("POST", "/v1/secrets", withHeaders({["Content-Type"] = "application/json"}), body)
end

local function orderRequest()
    local body = '{"type": "key", "meta": {"name": "wrk-load", "algorithm": "aes", "bit_length": 256, "mode": "cbc"}}'
    return "order", wrk.format("POST", "/v1/orders", withHeaders({["Content-Type"] = "application/json"}), body)
end

function request()
    -- wrk 4.1 (script_verify_request in wrk.c) calls request() once on the
    -- first thread's state before the thread starts, only to count pipelined
    -- requests, and never sends that request. It gets a GET that is not
    -- recorded.
    if thread_index == 1 and not probe_done then
        probe_done = true
        return wrk.format("GET", "/v1", headers)
    end

    if pending_kind then
        lost_counts[pending_kind] = (lost_counts[pending_kind] or 0) + 1
        noteFailure()
    end

    local roll = math.random() * 100
    local kind, text
    if roll < read_percent then
        kind, text = readRequest()
    elseif roll < read_percent + order_percent then
        kind, text = orderRequest()
    else
        kind, text = secretRequest()
    end
    pending_kind = kind
    return text
end

-- The id at the end of an href field such as "secret_ref" in a JSON body.
local function hrefId(body, field)
    return body:match('"' .. field .. '"%s*:%s*"[^"]*/([%w%-]+)"')
end

function response(status, response_headers, body)
    local kind = pending_kind or "unknown"
    local key = kind .. " " .. status
    status_counts[key] = (status_counts[key] or 0) + 1
    if status ~= success_status[kind] then noteFailure() end

    if kind == "secret" and status == 201 then
        local id = hrefId(body, "secret_ref")
        if id then
            created_secrets[#created_secrets + 1] = id .. " " .. pending_payload
        else
            missing_refs = missing_refs + 1
        end
    elseif kind == "order" and status == 202 then
        local id = hrefId(body, "order_ref")
        if id then
            created_orders[#created_orders + 1] = id
        else
            missing_refs = missing_refs + 1
        end
    elseif kind == "read" and status == 200 and body ~= pending_read.payload then
        read_mismatches = read_mismatches + 1
    end

    if status >= 500 and not body:match('^%s*{.*"code"%s*:%s*' .. status) then
        bad_error_bodies = bad_error_bodies + 1
    end

    pending_kind = nil
end
