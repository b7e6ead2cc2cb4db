-- GET of one fixed path, for the floor measurements.
--   BENCH_DIR   folder of this script
--   BENCH_PATH  request path
dofile(os.getenv("BENCH_DIR") .. "/wrk_report.lua")

function init(args)
  fixed_request = wrk.format("GET", required_env("BENCH_PATH"))
end

function request()
  return fixed_request
end
