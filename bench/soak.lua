-- wrk script for bench/soak.py: POST /predict with canvas drawings (one JSON body per line of the
-- file named after `--`), counting the answers by status; prints one line `SOAK {json}`.

local prepared, threads = {}, {}
counts = {} -- a global: done() reads each thread's through thread:get()
local next_body = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    table.insert(prepared, wrk.format("POST", "/predict", { ["Content-Type"] = "application/json" }, line))
  end
end

function request()
  next_body = next_body % #prepared + 1
  return prepared[next_body]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals, statuses = {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    statuses[#statuses + 1] = string.format('"%d": %d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'SOAK {"requests": %d, "seconds": %.3f, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    table.concat(statuses, ", ")
  ))
end
