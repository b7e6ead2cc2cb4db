-- GET /v1/secrets with a name filter.
--   BENCH_DIR         folder of this script
--   BENCH_PROJECT     project that owns the secrets (X-Project-Id)
--   BENCH_LIST_QUERY  query string, for example name=bench-0042%25&limit=10
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

function init(args)
  local headers = { ["X-Project-Id"] = required_env("BENCH_PROJECT"), ["Accept"] = "application/json" }
  list_request = wrk.format("GET", "/v1/secrets?" .. required_env("BENCH_LIST_QUERY"), headers)
end

function request()
  return list_request
end
