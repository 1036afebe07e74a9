-- wrk: KPI queries, each with a different third window so that none is
-- answered from the server's answer cache. PATH_BASE comes from the env.
local base = os.getenv("QUERY") or "/api/v1/kpi?by=currency,segment"
local cold = os.getenv("COLD") == "1"
local n = 0
request = function()
    n = n + 1
    local path = base
    if cold then path = path .. "&windows=30,60," .. (90 + n) end
    return wrk.format("GET", path)
end

done = function(summary, latency, requests)
    io.write(string.format("requests %d, errors %d, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
        + summary.errors.write + summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000))
end
