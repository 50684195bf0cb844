-- wrk script for CDS Hooks patient-view calls (issue 20: "an independent wrk load, a distinct JWT per call"):
-- every request carries its own pre-signed token (a distinct jti) and hookInstance. Tokens are dealt to wrk's threads
-- round-robin from $WRK_DIR/tokens.txt, written with the body by `NetCds.LoadTest --emit-wrk`. A thread that runs out of
-- tokens stops sending rather than replaying one (a replay would be refused, rightly, and spoil the measurement).
-- WRK_DELAY_MS=D paces each connection: it waits a random time (exponential, mean D ms) before each request, so C
-- connections together send about C / (D + latency) calls a second, as a Poisson stream rather than in lockstep. wrk
-- waits for a connection's answer before its next delay, so a slow answer delays that connection's next call
-- (coordinated omission): with D much longer than a call, few calls are affected.
-- WRK_DISTINCT=1: the body was written with --distinct, and each call puts its own number in every resource's
-- meta.versionId (CALL-VARIANT, with WRK_RUN, unique per run), so no call sends a resource sent before.
local threads = {}
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "")
local distinct = os.getenv("WRK_DISTINCT") == "1"
if delay_ms then
  function delay()
    return -math.log(1 - math.random()) * delay_ms
  end
end

function setup(thread)
  thread:set("id", #threads)
  thread:set("count", 0)
  table.insert(threads, thread)
end

function init(args)
  local dir = os.getenv("WRK_DIR")
  local stride = tonumber(os.getenv("WRK_THREADS"))
  tokens = {}
  local i = 0
  for line in io.lines(dir .. "/tokens.txt") do
    if i % stride == id then
      tokens[#tokens + 1] = line
    end
    i = i + 1
  end
  local file = io.open(dir .. "/body.json", "rb")
  body = file:read("*a")
  file:close()
  sent = 0
  failed = 0
  math.randomseed(os.time() + 7919 * id)
  -- Distinct across runs too: a later wrk run on the same service must not send again what an earlier one sent.
  run = os.getenv("WRK_RUN") or "0"
end

function request()
  sent = sent + 1
  local token = tokens[sent]
  if token == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/health/live")
  end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, call_body())
end

function call_body()
  local call = body:gsub("HOOK%-INSTANCE", string.format("00000000-0000-4000-8000-%04d%08d", id, sent))
  if distinct then
    call = call:gsub("CALL%-VARIANT", string.format("%s-t%d-%d", run, id, sent))
  end
  return call
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
  end
  count = count + 1
end

function done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
  end
  io.write(string.format("wrk: %d requests in %.1f s = %.0f calls/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; %d not 200\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, failures))
end
