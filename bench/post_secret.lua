-- POST /v1/secrets with a random 32-byte base64 payload, named bench-post.
--   BENCH_DIR            folder of this script
--   BENCH_WRITE_PROJECT  project the secrets are created in (X-Project-Id)
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  local headers = {
    ["X-Project-Id"] = required_env("BENCH_WRITE_PROJECT"),
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/json",
  }
  requests = {}
  for i, body in ipairs(secret_bodies(256)) do
    requests[i] = wrk.format("POST", "/v1/secrets", headers, body)
  end
  position = 0
end

function request()
  position = position % #requests + 1
  return requests[position]
end
