-- The search mix for wrk (issue 8), used by bench/load.py:
--   wrk -t2 -c16 -d30s --latency -s bench/search.lua http://127.0.0.1:PORT -- URLS_FILE THREADS
-- Each wrk thread cycles through the paths of URLS_FILE (one a line), starting at its own offset,
-- counts the responses that are not 2xx (wrk itself only counts statuses above 399), and at the end
-- one line "BENCH-WRK {json}" gives the figures bench/load.py reads.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  local count = tonumber(args[2]) or 1
  -- threads spread over the round, so that they do not ask the same question at the same moment
  position = math.floor(id * #paths / count)
  non_2xx = 0
  answered = 0
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  answered = answered + 1
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local non_2xx_total, answered_total = 0, 0
  for _, thread in ipairs(threads) do
    non_2xx_total = non_2xx_total + thread:get("non_2xx")
    answered_total = answered_total + thread:get("answered")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-WRK {"requests": %d, "duration_us": %d, "bytes": %d, "answered": %d, "non_2xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "mean": %.1f, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes, answered_total, non_2xx_total,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
