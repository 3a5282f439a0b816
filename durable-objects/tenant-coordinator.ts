// One per tenant: exact request rate limits (GCRA per tenant and per caller), kept in the
// object's SQLite-backed key-value store so a restart does not hand out a fresh burst.
import { DurableObject } from 'cloudflare:workers'
import { z } from 'zod'
import { gcra } from '../shared/rate-limit/gcra'
import type { RateLimitDecision } from '../shared/rate-limit/headers'

const checkInputSchema = z.object({
  callerId: z.string().min(1),
  tenant: z.object({ limit: z.number().int().positive(), windowSeconds: z.number().int().positive() }),
  caller: z.object({ limit: z.number().int().positive(), windowSeconds: z.number().int().positive() }),
})
export type RateLimitCheck = z.input<typeof checkInputSchema>

export class TenantCoordinator extends DurableObject<Env> {
  /** Admits or refuses one request against both the tenant's and the caller's bucket. */
  async checkRateLimit(input: RateLimitCheck): Promise<RateLimitDecision> {
    const { callerId, tenant, caller } = checkInputSchema.parse(input)
    const now = Date.now()
    const buckets = [
      { name: 'tenant', key: 'rl:tenant', ...tenant },
      { name: 'caller', key: `rl:caller:${callerId}`, ...caller },
    ].map((bucket) => ({
      ...bucket,
      decision: gcra(
        this.ctx.storage.kv.get<number>(bucket.key),
        now,
        bucket.limit,
        bucket.windowSeconds * 1000,
      ),
    }))

    const allowed = buckets.every((bucket) => bucket.decision.allowed)
    if (allowed) for (const bucket of buckets) this.ctx.storage.kv.put(bucket.key, bucket.decision.nextTat)

    return {
      allowed,
      retryAfterSeconds: Math.ceil(Math.max(...buckets.map((b) => b.decision.retryAfterMs)) / 1000),
      policies: buckets.map((bucket) => ({
        name: bucket.name,
        limit: bucket.limit,
        windowSeconds: bucket.windowSeconds,
        remaining: allowed ? bucket.decision.remaining : bucket.decision.available,
        resetSeconds: Math.ceil(bucket.decision.resetMs / 1000),
      })),
    }
  }
}
