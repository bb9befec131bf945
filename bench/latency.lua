-- wrk script for bench.py: after the run, print the latency quantile function (every 0.1 %,
-- in µs) and the number of requests, so bench.py can pool the rounds of a page into one
-- p50/p99. A median of per-window p99s is noisy: a slow page's 2 s window holds ~100
-- requests, and its p99 is that window's single worst request.
done = function(summary, latency, requests)
  io.write(string.format("latency-requests %d\n", summary.requests))
  for i = 1, 1000 do
    local us = i < 1000 and latency:percentile(i / 10) or latency.max
    io.write(string.format("latency-q %.1f %d\n", i / 10, us))
  end
end
