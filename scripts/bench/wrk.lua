-- wrk script for scripts/bench/run.sh.
--   wrk ... -s wrk.lua URL -- HOST MAX_REQUESTS
-- * sends `Host: HOST` (the app's ALLOWED_HOSTS accepts localhost and 127.0.0.1);
-- * bounds the run in requests: a thread stops after MAX_REQUESTS responses
--   (wrk itself bounds it in time with -d); run.sh treats a run that hit the cap as
--   failed, since wrk still divides by the full duration;
-- * prints one line `BENCHJSON {...}` with the totals, the error counts and the
--   latency distribution in microseconds (wrk's HdrHistogram of completed requests).
local max_requests = 0
local responses = 0

function init(args)
   if args[1] and args[1] ~= "" then
      wrk.headers["Host"] = args[1]
   end
   max_requests = tonumber(args[2] or "0") or 0
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
