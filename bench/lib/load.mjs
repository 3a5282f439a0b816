// Runs one autocannon load test in its own process (so the load generator does not share an
// event loop with the harness or the stack's node process) and prints one JSON line on stdout.
// Latency percentiles are computed here from every response (autocannon's summary has no p95).
// Usage: node bench/lib/load.mjs '{"url":"…","connections":16,"duration":5,"headers":{…}}'
import autocannon from 'autocannon'

const options = JSON.parse(process.argv[2])
const latencies = []
const statuses = {}
const instance = autocannon({ ...options, pipelining: 1 })
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  latencies.push(responseTime)
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1
})
const result = await instance
latencies.sort((a, b) => a - b)
const pct = (p) =>
  latencies.length
    ? +latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)].toFixed(2)
    : null
console.log(
  JSON.stringify({
    connections: options.connections,
    duration_s: options.duration,
    requests: latencies.length,
    req_per_s: Math.round(latencies.length / (result.duration || options.duration)),
    p50_ms: pct(50),
    p95_ms: pct(95),
    p99_ms: pct(99),
    max_ms: latencies.length ? +latencies.at(-1).toFixed(2) : null,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  }),
)
