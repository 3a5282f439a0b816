// When a failed delivery is tried again: a growing schedule (seconds to hours, after the
// Standard Webhooks recommendation) with ±20 % jitter, never sooner than the receiver's
// Retry-After, capped at what a queue message can be delayed.

/** Deliveries of one message: `max_retries` of the webhooks consumer in wrangler.toml (8), plus the first. */
export const MAX_DELIVERY_ATTEMPTS = 9
const SCHEDULE_SECONDS = [5, 30, 120, 600, 1800, 3600, 7200, 14_400]
/** Queues delay a message by at most 12 hours. */
const MAX_DELAY_SECONDS = 12 * 3600

/** Seconds before attempt `attempt + 1`, or null when `attempt` was the last one. */
export function retryDelaySeconds(
  attempt: number,
  retryAfterSeconds = 0,
  random = Math.random,
): number | null {
  if (attempt >= MAX_DELIVERY_ATTEMPTS) return null
  const base = SCHEDULE_SECONDS[Math.min(attempt, SCHEDULE_SECONDS.length) - 1]!
  const jittered = Math.round(base * (0.8 + 0.4 * random()))
  return Math.min(MAX_DELAY_SECONDS, Math.max(Math.ceil(retryAfterSeconds), jittered))
}

/** `Retry-After` as seconds (a number of seconds or an HTTP date); 0 when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number {
  if (!header) return 0
  if (/^\d+$/.test(header.trim())) return Number(header.trim())
  const date = Date.parse(header)
  return Number.isNaN(date) ? 0 : Math.max(0, Math.ceil((date - now) / 1000))
}
