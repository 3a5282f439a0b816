// Settings of the simulated provider, from env:
//   SIMULATED_LATENCY_MS   milliseconds per call (default 0)
//   SIMULATED_FAILURES     comma-separated `<status>:<rate>` with status 429, 500 or timeout,
//                          e.g. "429:0.05,500:0.02,timeout:0.01" (default none); `crash` throws
//                          an unexpected error, as a consumer dying mid-chunk would

export type FailureKind = '429' | '500' | 'timeout' | 'crash'
export type SimulatedConfig = { latencyMs: number; failures: { kind: FailureKind; rate: number }[] }

const KINDS: FailureKind[] = ['429', '500', 'timeout', 'crash']

export function readSimulatedConfig(env: {
  SIMULATED_LATENCY_MS?: string
  SIMULATED_FAILURES?: string
}): SimulatedConfig {
  const failures = (env.SIMULATED_FAILURES ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [kind, rate] = part.split(':')
      if (!KINDS.includes(kind as FailureKind) || !(Number(rate) >= 0 && Number(rate) <= 1)) {
        throw new Error(`SIMULATED_FAILURES entry "${part}" is not <429|500|timeout|crash>:<rate 0..1>.`)
      }
      return { kind: kind as FailureKind, rate: Number(rate) }
    })
  return { latencyMs: Math.max(0, Number(env.SIMULATED_LATENCY_MS ?? 0) || 0), failures }
}
