// One per subject that acts before (or without) authentication: a client address (`ip:…`), an
// account (`account:…`, by the email's SHA-256) or an inbound hook (`hook:…`). It admits requests
// against GCRA buckets and keeps a growing lockout after repeated failures, so floods of sign-ins,
// sign-ups, refreshes, bad credentials and unsigned hooks are refused before they cost a password
// hash or a database read.
import { DurableObject } from 'cloudflare:workers'
import { z } from 'zod'
import { GcraBuckets } from '../shared/rate-limit/gcra-buckets'

const rulesSchema = z
  .array(
    z.object({
      name: z.string().min(1),
      limit: z.number().int().positive(),
      windowSeconds: z.number().int().positive(),
    }),
  )
  .min(1)
export type ThrottleRule = z.input<typeof rulesSchema>[number]

const lockoutPolicySchema = z.object({
  /** Failures in a row before the first lock. */
  threshold: z.number().int().positive(),
  /** Length of the first lock; each further failure doubles it. */
  baseSeconds: z.number().int().positive(),
  maxSeconds: z.number().int().positive(),
})
export type LockoutPolicy = z.input<typeof lockoutPolicySchema>

export type ThrottleDecision = { allowed: boolean; retryAfterSeconds: number }
export type FailureRecord = { failures: number; lockedForSeconds: number }

type Failures = { count: number; lockedUntil: number }
const FAILURES_KEY = 'failures'

/** A decision that also tells whether the subject has failures to clear after a success. */
export type AdmitDecision = ThrottleDecision & { failures: number }

const bucketRules = (rules: ThrottleRule[]) =>
  rulesSchema.parse(rules).map((rule) => ({
    key: `rl:${rule.name}`,
    limit: rule.limit,
    windowSeconds: rule.windowSeconds,
  }))

export class AccessThrottle extends DurableObject<Env> {
  private readonly buckets = new GcraBuckets(this.ctx.storage.kv)

  /** Admits one request against every rule, or refuses it spending nothing. */
  async take(rules: ThrottleRule[]): Promise<ThrottleDecision> {
    const { allowed, retryAfterSeconds } = this.buckets.take(bucketRules(rules))
    return { allowed, retryAfterSeconds }
  }

  /** Whether `take` would admit a request now; spends nothing. */
  async peek(rules: ThrottleRule[]): Promise<ThrottleDecision> {
    const { allowed, retryAfterSeconds } = this.buckets.peek(bucketRules(rules))
    return { allowed, retryAfterSeconds }
  }

  /**
   * `take`, refused (spending nothing) while the subject is locked out: the one call a sign-in
   * makes to its account's object before checking the password.
   */
  async admit(rules: ThrottleRule[]): Promise<AdmitDecision> {
    const failures = this.failures()
    const lock = lockDecision(failures)
    if (!lock.allowed) return { ...lock, failures: failures.count }
    const { allowed, retryAfterSeconds } = this.buckets.take(bucketRules(rules))
    return { allowed, retryAfterSeconds, failures: failures.count }
  }

  /** Whether the subject is locked out after failures, and for how long still. */
  async lockout(): Promise<ThrottleDecision> {
    return lockDecision(this.failures())
  }

  /**
   * Counts a failure in a row. From the threshold on, each failure locks the subject for
   * baseSeconds · 2^(failures − threshold), at most maxSeconds; `lockedForSeconds` is 0 otherwise.
   */
  async recordFailure(policy: LockoutPolicy): Promise<FailureRecord> {
    const { threshold, baseSeconds, maxSeconds } = lockoutPolicySchema.parse(policy)
    const count = this.failures().count + 1
    const lockedForSeconds =
      count < threshold ? 0 : Math.min(maxSeconds, baseSeconds * 2 ** Math.min(30, count - threshold))
    const lockedUntil = lockedForSeconds ? Date.now() + lockedForSeconds * 1000 : 0
    this.ctx.storage.kv.put<Failures>(FAILURES_KEY, { count, lockedUntil })
    return { failures: count, lockedForSeconds }
  }

  /** A success ends the run of failures. */
  async clearFailures(): Promise<void> {
    if (this.ctx.storage.kv.get(FAILURES_KEY) !== undefined) this.ctx.storage.kv.delete(FAILURES_KEY)
  }

  private failures(): Failures {
    return this.ctx.storage.kv.get<Failures>(FAILURES_KEY) ?? { count: 0, lockedUntil: 0 }
  }
}

function lockDecision({ lockedUntil }: Failures): ThrottleDecision {
  const remainingMs = lockedUntil - Date.now()
  return remainingMs > 0
    ? { allowed: false, retryAfterSeconds: Math.ceil(remainingMs / 1000) }
    : { allowed: true, retryAfterSeconds: 0 }
}
