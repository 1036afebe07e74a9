-- wrk: KPI queries (QUERY from the env), each different so that none is
-- answered from the server's answer cache.
local base = os.getenv("QUERY") or "/api/v1/kpi?by=currency,segment"
-- COLD=1: a different third window each time; COLD=2: a different
-- placement window (from=) each time.
local cold = os.getenv("COLD") or "0"
local n = 0
request = function()
    n = n + 1
    local path = base
    if cold == "1" then
        path = path .. "&windows=30,60," .. (90 + n % 3000)
    elseif cold == "2" then
        path = path .. string.format("&from=2024-%02d-%02d&to=2030-12-31", 1 + n % 12, 1 + n % 28)
    end
    return wrk.format("GET", path)
end

done = function(summary, latency, requests)
    io.write(string.format("requests %d, errors %d, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000))
end
