-- wrk script for bench/run: sends the signed-in cookies and the simulated TLS proxy's header,
-- counts the status codes, and prints the result as one JSON line.
-- With BENCH_POOL set it POSTs the session log: each request logs the next session of the
-- pool (one per thread in turn) with a fresh one-time submission key; with BENCH_POST_PATH, the
-- form at that path (scheduling: each request books the next time slot).
local cookie = os.getenv("BENCH_COOKIE")
local origin = os.getenv("BENCH_ORIGIN")
local pool_file = os.getenv("BENCH_POOL")
-- Where each pooled POST goes: the session log of the pool's session, or a fixed form (the
-- schedule page: then each line of the pool is a time slot).
local post_path = os.getenv("BENCH_POST_PATH") or "/sessions/{ID}/log/"
local body_template = nil
local pool = {}
local threads = {}
local counter = 1

wrk.headers["Cookie"] = cookie
wrk.headers["X-Forwarded-Proto"] = "https"
wrk.headers["Host"] = os.getenv("BENCH_HOST")
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
   wrk.headers["Authorization"] = authorization
end

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
   nthreads = tonumber(os.getenv("BENCH_THREADS"))
   if pool_file then
      for line in io.lines(pool_file) do
         if body_template == nil then
            body_template = line
         else
            local id, starts, ends = line:match("(%d+) (%S+) (%S+)")
            table.insert(pool, {id = id, starts = starts, ends = ends})
         end
      end
      counter = tid + 1
   end
end

local function uuid()
   local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
   return (template:gsub("[xy]", function(c)
      local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
      return string.format("%x", v)
   end))
end

function request()
   if not pool_file then
      return wrk.format(nil)
   end
   local s = pool[counter]
   counter = counter + nthreads
   if s == nil then
      return wrk.format("GET", "/healthz/live")  -- pool exhausted: shows as 200s, not 302s
   end
   local body = body_template:gsub("{KEY}", uuid()):gsub("{START}", s.starts):gsub("{END}", s.ends)
   -- wrk.format uses the headers given instead of wrk.headers: copy those (cookie, proxy).
   local headers = {}
   for k, v in pairs(wrk.headers) do
      headers[k] = v
   end
   headers["Content-Type"] = "application/x-www-form-urlencoded"
   local path = post_path:gsub("{ID}", s.id)
   headers["Referer"] = origin .. path
   headers["Origin"] = origin
   return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local counts = {}
   for _, thread in ipairs(threads) do
      local st = thread:get("statuses")
      for k, v in pairs(st) do
         counts[tostring(k)] = (counts[tostring(k)] or 0) + v
      end
   end
   local parts = {}
   for k, v in pairs(counts) do
      table.insert(parts, string.format('"%s": %d', k, v))
   end
   io.write(string.format(
      'BENCH {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
      '"p99_ms": %.2f, "max_ms": %.2f, "socket_errors": %d, "statuses": {%s}}\n',
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      table.concat(parts, ", ")))
end
