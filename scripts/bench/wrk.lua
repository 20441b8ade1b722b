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
--   "mixed:EVERY:IDS_FILE" is readers and voters: every EVERYth request of a thread
--   is a vote (POST /api/questions/Q/vote/ {"choice": C}, a random choice of a random
--   question), the others read the list (/api/questions/, half of them) or one
--   question (/api/questions/Q/); IDS_FILE holds "Q C..." per line (seed.py), and
--   each thread's choices come from a PRNG seeded with its number (repeatable);
--   the URL's path is ignored in this mode;
-- * counts the responses' X-Cache header (hit, miss, bypass, none: votes and
--   uncached endpoints), so the report has the app's own hit ratio;
-- * prints one line `BENCHJSON {...}` with the totals, the error counts and the
--   latency distribution in microseconds (wrk's HdrHistogram of completed requests).
local max_requests = 0
local responses = 0
local threads = {}
local sent = 0
x_cache = {hit = 0, miss = 0, bypass = 0, none = 0}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_id", #threads)
end

-- mixed_requests(every, ids_file): the request function of the mixed mode.
local function mixed_requests(every, ids_file)
   local questions = {}
   local f = assert(io.open(ids_file, "r"), "wrk.lua: cannot read " .. ids_file)
   for line in f:lines() do
      local ids = {}
      for id in line:gmatch("%d+") do table.insert(ids, id) end
      if #ids >= 2 then table.insert(questions, ids) end
   end
   f:close()
   assert(#questions > 0, "wrk.lua: no questions with choices in " .. ids_file)
   math.randomseed(thread_id)
   -- wrk.format uses these instead of wrk.headers: copy them (the Host header).
   local vote_headers = {["Content-Type"] = "application/json"}
   for name, value in pairs(wrk.headers) do vote_headers[name] = value end
   return function()
      sent = sent + 1
      local q = questions[math.random(#questions)]
      if sent % every == 0 then
         local body = '{"choice": ' .. q[math.random(2, #q)] .. '}'
         return wrk.format("POST", "/api/questions/" .. q[1] .. "/vote/", vote_headers, body)
      elseif math.random(2) == 1 then
         return wrk.format("GET", "/api/questions/")
      end
      return wrk.format("GET", "/api/questions/" .. q[1] .. "/")
   end
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
   elseif mode:sub(1, 6) == "mixed:" then
      local every, ids_file = mode:match("^mixed:(%d+):(.+)$")
      assert(every and tonumber(every) >= 2, "wrk.lua: mixed:EVERY:IDS_FILE with EVERY >= 2, got " .. mode)
      request = mixed_requests(tonumber(every), ids_file)
   elseif mode ~= "" then
      error("wrk.lua: unknown mode " .. mode)
   end
end

function response(status, headers, body)
   responses = responses + 1
   local label = headers["X-Cache"] or headers["x-cache"]
   if x_cache[label] then
      x_cache[label] = x_cache[label] + 1
   else
      x_cache.none = x_cache.none + 1
   end
   if max_requests > 0 and responses >= max_requests then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   local counts = {hit = 0, miss = 0, bypass = 0, none = 0}
   for _, thread in ipairs(threads) do
      local c = thread:get("x_cache")
      for k in pairs(counts) do counts[k] = counts[k] + c[k] end
   end
   io.write(string.format(
      'BENCHJSON {"requests":%d,"durationUs":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
      '"xCache":{"hit":%d,"miss":%d,"bypass":%d,"none":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean, counts.hit, counts.miss, counts.bypass, counts.none))
end
