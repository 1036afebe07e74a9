-- wrk: durable ingest of payments in batches of ROWS rows (default 1000)
-- on random stored cases (CASES: a file of "case_id,currency" lines).
-- Every id is new, so every row is inserted.
local rows = tonumber(os.getenv("ROWS") or "1000")
local token = os.getenv("TOKEN") or "bench-token"
local cases = {}
for line in io.lines(os.getenv("CASES")) do cases[#cases + 1] = line end
local batch = 0
math.randomseed(7)

request = function()
    batch = batch + 1
    local parts = {"payment_id,case_id,currency,paid_on,amount\n"}
    for i = 1, rows do
        local c = cases[math.random(#cases)]
        local id, cur = c:match("([^,]+),([^,]+)")
        parts[#parts + 1] = string.format("W%d-%d-%d,%s,%s,2025-06-30,1\n",
            os.time(), batch, i, id, cur)
    end
    return wrk.format("POST", "/api/v1/payments", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "text/csv"}, table.concat(parts))
end

local bad = 0
response = function(status, headers, body)
    if status ~= 200 or not body:find('"accepted":' .. rows, 1, true) then
        bad = bad + 1
        if bad == 1 then io.stderr:write("unexpected answer: " .. status .. " " .. body:sub(1, 200) .. "\n") end
    end
end

done = function(summary, latency, requests)
    local secs = summary.duration / 1e6
    io.write(string.format("batches %d of %d rows in %.2f s: %.0f rows/s; batch p50 %.1f ms, p99 %.1f ms\n",
        summary.requests, rows, secs, summary.requests * rows / secs,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
