-- wrk script for scripts/bench/run.sh.
--   wrk ... -s wrk.lua URL -- HOST MAX_REQUESTS [MODE]
-- * sends `Host: HOST` (the app's ALLOWED_HOSTS accepts localhost and 127.0.0.1);
-- * bounds the run in requests: a thread stops after MAX_REQUESTS responses
--   (wrk itself bounds it in time with -d); run.sh treats a run that hit the cap as
--   failed, since wrk still divides by the full duration;
-- * MODE (optional): "nocache" sends `Cache-Control: no-cache` (the app then reads the
--   database, never the cache server); "unique:TOKEN" appends `cold=TOKEN-THREAD-N` to
--   the query string, so every request is a page of its own (a cache miss) that
--   costs the app the same as the plain URL (it ignores the parameter);
-- * prints one line `BENCHJSON {...}` with the totals, the error counts and the
--   latency distribution in microseconds (wrk's HdrHistogram of completed requests).
local max_requests = 0
local responses = 0
local threads = 0
local sent = 0

function setup(thread)
   threads = threads + 1
   thread:set("thread_id", threads)
end

function init(args)
   if args[1] and args[1] ~= "" then
      wrk.headers["Host"] = args[1]
   end
   max_requests = tonumber(args[2] or "0") or 0
   local mode = args[3] or ""
   if mode == "nocache" then
      wrk.headers["Cache-Control"] = "no-cache"
   elseif mode:sub(1, 7) == "unique:" then
      local sep = wrk.path:find("?", 1, true) and "&" or "?"
      local prefix = wrk.path .. sep .. "cold=" .. mode:sub(8) .. "-" .. tostring(thread_id) .. "-"
      -- Defined only in this mode: wrk builds every request with it (others stay static).
      request = function()
         sent = sent + 1
         return wrk.format(nil, prefix .. sent)
      end
   elseif mode ~= "" then
      error("wrk.lua: unknown mode " .. mode)
   end
end

function response(status, headers, body)
   responses = responses + 1
   if max_requests > 0 and responses >= max_requests then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"durationUs":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
