-- Runs another scenario script with an X-Auth-Token header added to every
-- request that it builds with wrk.format(), for the Keystone comparison of
-- scripts/bench.sh (bench/keystone.sh).
--   BENCH_DIR         folder of the scenario scripts
--   BENCH_SCENARIO    file name of the scenario script, e.g. read.lua
--   BENCH_TOKEN_FILE  file whose first line is the Keystone token
local function read_token(path)
  local file = assert(io.open(path, "r"), "cannot open BENCH_TOKEN_FILE " .. tostring(path))
  local token = file:read("*l")
  file:close()
  if token == nil or token == "" then error("BENCH_TOKEN_FILE " .. path .. " is empty") end
  return token
end

local token = read_token(os.getenv("BENCH_TOKEN_FILE"))
local format = wrk.format

wrk.format = function(method, path, headers, body)
  local with_token = {}
  for name, value in pairs(headers or {}) do with_token[name] = value end
  with_token["X-Auth-Token"] = token
  return format(method, path, with_token, body)
end

dofile(os.getenv("BENCH_DIR") .. "/" .. os.getenv("BENCH_SCENARIO"))
