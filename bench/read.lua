-- GET of seeded secrets, round robin from a random start in each thread.
--   BENCH_DIR      folder of this script
--   BENCH_PROJECT  project that owns the secrets (X-Project-Id)
--   BENCH_IDS      file with one secret id per line
--   BENCH_READS    number of ids from the top of BENCH_IDS to read
--   BENCH_SUFFIX   "" for metadata, "/payload" for the payload
--   BENCH_ACCEPT   Accept header (application/json or application/octet-stream)
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

function init(args)
  local project = required_env("BENCH_PROJECT")
  local ids = read_lines(required_env("BENCH_IDS"), tonumber(required_env("BENCH_READS")))
  local suffix = os.getenv("BENCH_SUFFIX") or ""
  local headers = { ["X-Project-Id"] = project, ["Accept"] = required_env("BENCH_ACCEPT") }
  requests = {}
  for i, id in ipairs(ids) do
    requests[i] = wrk.format("GET", "/v1/secrets/" .. id .. suffix, headers)
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  position = math.random(1, #requests)
end

function request()
  position = position % #requests + 1
  return requests[position]
end
