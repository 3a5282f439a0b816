// One per tenant: exact request rate limits (GCRA per tenant and per caller), batch admission
// against the plan's concurrent-batch and monthly-task quotas, and each running batch's fair
// share of the tenant's task concurrency. State lives in the object's SQLite-backed key-value
// store, so a restart forgets no running batch. Rate-limit state is held in memory and written
// at most once a second (see GcraBuckets).
// It also keeps the tenant's revoked API key ids and the scope ceilings of narrowed keys, so
// isolates that cached a key learn of its revocation or narrowing here.
// And it leases the slots of the tenant's open event streams, which expire by themselves.
import { DurableObject } from 'cloudflare:workers'
import { z } from 'zod'
import { GcraBuckets } from '../shared/rate-limit/gcra-buckets'
import type { RateLimitDecision } from '../shared/rate-limit/headers'

const keyIdSchema = z.string().min(1)
const batchIdSchema = z.string().min(1)

const checkInputSchema = z.object({
  callerId: z.string().min(1),
  /** The API key the request came with, refused once revoked. */
  keyId: keyIdSchema.optional(),
  tenant: z.object({ limit: z.number().int().positive(), windowSeconds: z.number().int().positive() }),
  caller: z.object({ limit: z.number().int().positive(), windowSeconds: z.number().int().positive() }),
})
export type RateLimitCheck = z.input<typeof checkInputSchema>
/** `scopeCeiling`: the most a narrowed key may still do, whatever scopes a cached copy carries. */
export type RateLimitAnswer = (RateLimitDecision & { scopeCeiling?: string[] }) | { revoked: true }

const restrictInputSchema = z.object({
  revoke: z.array(keyIdSchema),
  narrow: z.array(z.object({ keyId: keyIdSchema, scopes: z.array(z.string().min(1)).min(1) })),
})
export type KeyRestrictions = z.input<typeof restrictInputSchema>

const admitInputSchema = z.object({
  batchId: z.string().min(1),
  tasks: z.number().int().nonnegative(),
  maxConcurrentBatches: z.number().int().positive(),
  monthlyTaskQuota: z.number().int().nonnegative(),
  maxConcurrentTasks: z.number().int().positive(),
})
export type BatchAdmission = z.input<typeof admitInputSchema>

const reserveInputSchema = z.object({
  tasks: z.number().int().positive(),
  monthlyTaskQuota: z.number().int().nonnegative(),
})
export type AdmissionDecision =
  | { admitted: true }
  | { admitted: false; code: 'concurrent_batches_exceeded' | 'monthly_quota_exceeded'; message: string }

/** Fewest tasks a running batch may have in flight, however many batches share the tenant. */
const MIN_SHARE = 10

const streamIdSchema = z.string().min(1).max(100)
const streamLeaseSchema = z.object({
  streamId: streamIdSchema,
  limit: z.number().int().nonnegative(),
  leaseSeconds: z.number().int().positive(),
})
export type StreamLease = z.input<typeof streamLeaseSchema>
export type StreamAdmission = { opened: boolean; open: number }
const STREAMS_KEY = 'streams:open'

const revokedKey = (keyId: string) => `revoked:${keyId}`
const scopeCeilingKey = (keyId: string) => `ceiling:${keyId}`

function monthKey(now = new Date()) {
  return `usage:${now.toISOString().slice(0, 7)}`
}

export class TenantCoordinator extends DurableObject<Env> {
  private readonly buckets = new GcraBuckets(this.ctx.storage.kv)

  /**
   * Admits or refuses one request against both the tenant's and the caller's bucket; a revoked
   * key is refused as such, spending no tokens.
   */
  async checkRateLimit(input: RateLimitCheck): Promise<RateLimitAnswer> {
    const { callerId, keyId, tenant, caller } = checkInputSchema.parse(input)
    if (keyId && this.ctx.storage.kv.get(revokedKey(keyId)) !== undefined) return { revoked: true }
    const scopeCeiling = keyId ? this.ctx.storage.kv.get<string[]>(scopeCeilingKey(keyId)) : undefined
    const names = ['tenant', 'caller']
    const { allowed, retryAfterSeconds, buckets } = this.buckets.take([
      { key: 'rl:tenant', ...tenant },
      { key: `rl:caller:${callerId}`, ...caller },
    ])
    return {
      allowed,
      retryAfterSeconds,
      ...(scopeCeiling && { scopeCeiling }),
      policies: buckets.map((bucket, i) => ({
        name: names[i]!,
        limit: bucket.limit,
        windowSeconds: bucket.windowSeconds,
        remaining: allowed ? bucket.decision.remaining : bucket.decision.available,
        resetSeconds: Math.ceil(bucket.decision.resetMs / 1000),
      })),
    }
  }

  /** Records a revoked key for good (an entry is a few bytes), so no cached copy outlives it. */
  async revokeApiKey(keyId: string): Promise<void> {
    this.ctx.storage.kv.put(revokedKey(keyIdSchema.parse(keyId)), Date.now())
  }

  /**
   * Revokes keys and lowers others' scope ceilings in one step, as when their creator leaves the
   * tenant or loses a role. A ceiling only ever narrows: it keeps the scopes both the old and the
   * new ceiling allow.
   */
  async restrictApiKeys(input: KeyRestrictions): Promise<void> {
    const { revoke, narrow } = restrictInputSchema.parse(input)
    const kv = this.ctx.storage.kv
    const now = Date.now()
    for (const keyId of revoke) kv.put(revokedKey(keyId), now)
    for (const { keyId, scopes } of narrow) {
      const current = kv.get<string[]>(scopeCeilingKey(keyId))
      const ceiling = current ? scopes.filter((scope) => current.includes(scope)) : scopes
      if (ceiling.length) kv.put(scopeCeilingKey(keyId), ceiling)
      else kv.put(revokedKey(keyId), now)
    }
  }

  /** Admits a batch before any of its work starts, reserving its tasks against the month's quota. */
  async admitBatch(input: BatchAdmission): Promise<AdmissionDecision> {
    const admission = admitInputSchema.parse(input)
    const kv = this.ctx.storage.kv
    const active = kv.get<Record<string, number>>('batches:active') ?? {}
    if (active[admission.batchId] !== undefined) return { admitted: true }
    const running = Object.keys(active).length
    if (running >= admission.maxConcurrentBatches) {
      return {
        admitted: false,
        code: 'concurrent_batches_exceeded',
        message: `The plan allows ${admission.maxConcurrentBatches} batches at once and ${running} are running; wait for one to finish or cancel one.`,
      }
    }
    const used = kv.get<number>(monthKey()) ?? 0
    if (used + admission.tasks > admission.monthlyTaskQuota) {
      return {
        admitted: false,
        code: 'monthly_quota_exceeded',
        message: `This batch has ${admission.tasks} tasks, and ${admission.monthlyTaskQuota - used} of the plan's ${admission.monthlyTaskQuota} tasks this month remain.`,
      }
    }
    kv.put(monthKey(), used + admission.tasks)
    kv.put('batches:active', { ...active, [admission.batchId]: Date.now() })
    kv.put('tasks:max-concurrent', admission.maxConcurrentTasks)
    return { admitted: true }
  }

  /** Reserves tasks run outside a batch (realtime calls, previews) against the month's quota. */
  async reserveTasks(input: { tasks: number; monthlyTaskQuota: number }): Promise<AdmissionDecision> {
    const { tasks, monthlyTaskQuota } = reserveInputSchema.parse(input)
    const used = this.ctx.storage.kv.get<number>(monthKey()) ?? 0
    if (used + tasks > monthlyTaskQuota) {
      return {
        admitted: false,
        code: 'monthly_quota_exceeded',
        message: `The plan's ${monthlyTaskQuota} tasks this month are used up.`,
      }
    }
    this.ctx.storage.kv.put(monthKey(), used + tasks)
    return { admitted: true }
  }

  /** Frees a finished, failed or cancelled batch's slot. */
  async releaseBatch(batchId: string): Promise<void> {
    const id = batchIdSchema.parse(batchId)
    const active = { ...(this.ctx.storage.kv.get<Record<string, number>>('batches:active') ?? {}) }
    delete active[id]
    this.ctx.storage.kv.put('batches:active', active)
  }

  /** Tasks this batch may have in flight: the tenant's concurrency split evenly between running batches. */
  async shareFor(batchId: string): Promise<number> {
    const id = batchIdSchema.parse(batchId)
    const active = this.ctx.storage.kv.get<Record<string, number>>('batches:active') ?? {}
    const max = this.ctx.storage.kv.get<number>('tasks:max-concurrent') ?? MIN_SHARE
    const running = Math.max(1, Object.keys(active).length + (active[id] === undefined ? 1 : 0))
    return Math.max(MIN_SHARE, Math.floor(max / running))
  }

  /** Tasks reserved this month, for usage reporting. */
  async monthlyUsage(): Promise<number> {
    return this.ctx.storage.kv.get<number>(monthKey()) ?? 0
  }

  /**
   * Takes a slot for a live event stream, unless the tenant already holds `limit` whose leases
   * have not expired. A lease runs out by itself, so an isolate that died holding one frees it.
   */
  async openStream(input: StreamLease): Promise<StreamAdmission> {
    const { streamId, limit, leaseSeconds } = streamLeaseSchema.parse(input)
    const now = Date.now()
    const live = Object.fromEntries(
      Object.entries(this.ctx.storage.kv.get<Record<string, number>>(STREAMS_KEY) ?? {}).filter(
        ([, expiresAt]) => expiresAt > now,
      ),
    )
    const open = Object.keys(live).length
    if (live[streamId] === undefined && open >= limit) return { opened: false, open }
    live[streamId] = now + leaseSeconds * 1000
    this.ctx.storage.kv.put(STREAMS_KEY, live)
    return { opened: true, open: Object.keys(live).length }
  }

  /** Frees a stream's slot (idempotent). */
  async closeStream(streamId: string): Promise<void> {
    const live = { ...(this.ctx.storage.kv.get<Record<string, number>>(STREAMS_KEY) ?? {}) }
    if (live[streamIdSchema.parse(streamId)] === undefined) return
    delete live[streamId]
    this.ctx.storage.kv.put(STREAMS_KEY, live)
  }

  /** Streams holding an unexpired slot. */
  async openStreamCount(): Promise<number> {
    const now = Date.now()
    const live = this.ctx.storage.kv.get<Record<string, number>>(STREAMS_KEY) ?? {}
    return Object.values(live).filter((expiresAt) => expiresAt > now).length
  }
}
