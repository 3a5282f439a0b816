// Generic cell rate algorithm: `limit` requests per `windowMs`, bursts up to the whole limit.
// State is one number per bucket, the theoretical arrival time (TAT) of the next request.

export type GcraDecision = {
  allowed: boolean
  /** The TAT to store if the request is admitted. */
  nextTat: number
  /** Requests left after this one if it is admitted; 0 when refused. */
  remaining: number
  /** Requests left before this one: what stays available when the request is refused elsewhere. */
  available: number
  /** Milliseconds until the bucket is full again. */
  resetMs: number
  /** Milliseconds until one request would be admitted (0 when allowed). */
  retryAfterMs: number
}

export function gcra(tat: number | undefined, now: number, limit: number, windowMs: number): GcraDecision {
  const interval = windowMs / limit
  const start = Math.max(tat ?? now, now)
  const nextTat = start + interval
  const admitAt = nextTat - windowMs
  const available = Math.max(0, Math.floor((windowMs - (start - now)) / interval + 1e-9))
  if (now < admitAt) {
    return {
      allowed: false,
      nextTat: start,
      remaining: 0,
      available,
      resetMs: start - now,
      retryAfterMs: admitAt - now,
    }
  }
  return {
    allowed: true,
    nextTat,
    remaining: available - 1,
    available,
    resetMs: nextTat - now,
    retryAfterMs: 0,
  }
}
