-- wrk script for scripts/loadtest.py: POST one fixed body, stop after a number of responses.
--   wrk -t2 -c16 -d60s --timeout 30s -s scripts/loadtest.lua URL -- MODE FILE REQUESTS THREADS
-- MODE "multipart": FILE is the image, sent as the multipart file field "file" (body built here).
-- MODE "json": FILE is the JSON body, sent as is.
-- Each thread stops after its share of REQUESTS responses and prints "thread-done" (the caller
-- then interrupts wrk's fixed-duration sleep with SIGINT); done() prints one JSON line.

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } loadtest_timespec;
  int clock_gettime(int clock, loadtest_timespec *now);
]])
local CLOCK_MONOTONIC = 1
local BOUNDARY = "----loadtest7d1f3a9c5e"

local function now_us()
  local now = ffi.new("loadtest_timespec")
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
  return tonumber(now.tv_sec) * 1000000 + tonumber(now.tv_nsec) / 1000
end

local function read_file(path)
  local handle = assert(io.open(path, "rb"))
  local data = handle:read("*a")
  handle:close()
  return data
end

local function multipart(image)
  return "--" .. BOUNDARY .. "\r\n"
    .. 'Content-Disposition: form-data; name="file"; filename="digit.png"\r\n'
    .. "Content-Type: image/png\r\n\r\n"
    .. image .. "\r\n--" .. BOUNDARY .. "--\r\n"
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local mode, path = args[1], args[2]
  local total, count = tonumber(args[3]), tonumber(args[4])
  wrk.method = "POST"
  if mode == "multipart" then
    wrk.body = multipart(read_file(path))
    wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY
  else
    wrk.body = read_file(path)
    wrk.headers["Content-Type"] = "application/json"
  end
  limit = math.floor(total / count) -- this thread's share (`id` is set by setup())
  if id <= total % count then
    limit = limit + 1
  end
  responses, not_ok, started_us, finished_us = 0, 0, now_us(), 0
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    not_ok = not_ok + 1
  end
  if responses == limit then
    finished_us = now_us()
    io.write("thread-done\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local answered, failed, first, last = 0, 0, math.huge, 0
  for _, thread in ipairs(threads) do
    answered = answered + thread:get("responses")
    failed = failed + thread:get("not_ok")
    first = math.min(first, thread:get("started_us"))
    local finished = thread:get("finished_us")
    last = math.max(last, finished > 0 and finished or now_us())
  end
  local errors = summary.errors
  io.write(string.format(
    '{"answered": %d, "non_200": %d, "socket_errors": %d, "elapsed_us": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    answered, failed, errors.connect + errors.read + errors.write + errors.timeout,
    last - first, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max
  ))
end
