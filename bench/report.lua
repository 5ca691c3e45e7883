-- Prints one machine-readable line after wrk's own report.
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.2f requests=%d p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
