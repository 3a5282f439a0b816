// The one backoff rule: exponential in the attempt, ±50 % jitter so many retries spread out,
// never sooner than the provider asked for, capped.

export type BackoffOptions = { baseMs: number; maxMs: number; atLeastMs?: number; random?: () => number }

export function backoffMs(attempt: number, options: BackoffOptions): number {
  const exponential = options.baseMs * 2 ** Math.max(0, attempt - 1)
  const jittered = exponential * (0.5 + (options.random ?? Math.random)())
  return Math.min(options.maxMs, Math.max(options.atLeastMs ?? 0, Math.round(jittered)))
}

/** The longest `backoffSeconds` waits, whatever a provider asked for. */
export const MAX_BACKOFF_SECONDS = 60

/** Delay before redelivering a queue message, in whole seconds (1 s base, MAX_BACKOFF_SECONDS cap). */
export function backoffSeconds(attempt: number, atLeastMs = 0, random = Math.random): number {
  const ms = backoffMs(attempt, { baseMs: 1000, maxMs: MAX_BACKOFF_SECONDS * 1000, atLeastMs, random })
  return Math.min(MAX_BACKOFF_SECONDS, Math.max(Math.ceil(atLeastMs / 1000), Math.round(ms / 1000)))
}
