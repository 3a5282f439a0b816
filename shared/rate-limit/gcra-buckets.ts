// GCRA buckets kept in a Durable Object's memory and written to its key-value storage at most
// every `persistMs`: a commit per admitted request would cost more than the request it guards,
// and a restart of the object then forgets at most that long a stretch of admissions.
import { type GcraDecision, gcra } from './gcra'

export type BucketRule = { key: string; limit: number; windowSeconds: number }

export type BucketsDecision = {
  allowed: boolean
  retryAfterSeconds: number
  buckets: (BucketRule & { decision: GcraDecision })[]
}

type KeyValue = Pick<DurableObjectStorage['kv'], 'get' | 'put'>

export class GcraBuckets {
  /** Each bucket's theoretical arrival time; the truth between writes to storage. */
  private readonly tats = new Map<string, number>()
  private readonly unsaved = new Set<string>()
  private savedAt = 0

  constructor(
    private readonly kv: KeyValue,
    private readonly persistMs = 1_000,
  ) {}

  /** Admits one request against every rule, or refuses it spending nothing from any bucket. */
  take(rules: BucketRule[], now = Date.now()): BucketsDecision {
    const decision = this.peek(rules, now)
    if (decision.allowed)
      for (const bucket of decision.buckets) this.setTat(bucket.key, bucket.decision.nextTat, now)
    return decision
  }

  /** What `take` would decide, spending nothing. */
  peek(rules: BucketRule[], now = Date.now()): BucketsDecision {
    const buckets = rules.map((rule) => ({
      ...rule,
      decision: gcra(this.tatOf(rule.key), now, rule.limit, rule.windowSeconds * 1000),
    }))
    const allowed = buckets.every((bucket) => bucket.decision.allowed)
    const retryAfterMs = Math.max(0, ...buckets.map((bucket) => bucket.decision.retryAfterMs))
    return { allowed, retryAfterSeconds: Math.ceil(retryAfterMs / 1000), buckets }
  }

  private tatOf(key: string): number | undefined {
    return this.tats.get(key) ?? this.kv.get<number>(key)
  }

  private setTat(key: string, tat: number, now: number) {
    this.tats.set(key, tat)
    this.unsaved.add(key)
    if (now - this.savedAt < this.persistMs) return
    for (const unsaved of this.unsaved) this.kv.put(unsaved, this.tats.get(unsaved))
    this.unsaved.clear()
    this.savedAt = now
  }
}
