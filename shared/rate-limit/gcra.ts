// Generic cell rate algorithm: `limit` requests per `windowMs`, bursts up to the whole limit.
// State is one number per bucket, the theoretical arrival time (TAT) of the next request.

export type GcraDecision = {
  allowed: boolean
  /** The TAT to store if the request is admitted. */
  nextTat: number
  remaining: number
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
  if (now < admitAt) {
    return { allowed: false, nextTat: start, remaining: 0, resetMs: start - now, retryAfterMs: admitAt - now }
  }
  const remaining = Math.floor((windowMs - (nextTat - now)) / interval + 1e-9)
  return { allowed: true, nextTat, remaining, resetMs: nextTat - now, retryAfterMs: 0 }
}
