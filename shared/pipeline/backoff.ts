const BASE_SECONDS = 1
const MAX_SECONDS = 60

/**
 * Delay before redelivering a message: exponential in the delivery count, with ±50 % jitter so
 * retries of many chunks spread out, never less than what the provider asked for, capped.
 */
export function backoffSeconds(attempt: number, atLeastMs = 0, random = Math.random): number {
  const exponential = BASE_SECONDS * 2 ** Math.max(0, attempt - 1)
  const jittered = exponential * (0.5 + random())
  return Math.min(MAX_SECONDS, Math.max(Math.ceil(atLeastMs / 1000), Math.round(jittered)))
}
