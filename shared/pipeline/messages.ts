// What travels between the BatchCoordinator, the `tasks` queue and its consumers.
import { z } from 'zod'
import { TASK_ERROR_CODES } from '../error-codes'

/** A chunk and which dispatch of it (a chunk dispatched again makes messages of the old dispatch stale). */
export const chunkRefSchema = z.object({
  chunkId: z.number().int().positive(),
  dispatch: z.number().int().positive(),
})
export type ChunkRef = z.infer<typeof chunkRefSchema>

/**
 * A queue message names the chunks one dispatch of a batch sent (its window, or a chunk sent again);
 * the consumer runs them side by side, taking a lease on each chunk's open tasks when it begins.
 */
export const chunkMessageSchema = z.object({
  tenantId: z.string(),
  batchId: z.string(),
  chunks: z.array(chunkRefSchema).min(1),
})
export type ChunkMessage = z.infer<typeof chunkMessageSchema>

export const taskErrorSchema = z.object({ code: z.enum(TASK_ERROR_CODES), message: z.string() })
export type TaskError = z.infer<typeof taskErrorSchema>

export const usageSchema = z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() })

const generated = {
  seq: z.number().int(),
  output: z.unknown(),
  usage: usageSchema,
  cost_usd: z.number(),
  provider: z.string(),
  model: z.string(),
  /** Reused from an identical earlier request of the tenant; no provider call was made. */
  cached: z.boolean(),
}

export const taskResultSchema = z.discriminatedUnion('status', [
  z.object({ ...generated, status: z.literal('succeeded') }),
  /** Kept but flagged: the output still broke a constraint after regeneration. */
  z.object({ ...generated, status: z.literal('needs_review'), violations: z.array(z.string()).min(1) }),
  z.object({
    seq: z.number().int(),
    status: z.literal('failed'),
    error: taskErrorSchema,
    usage: usageSchema.optional(),
    cost_usd: z.number().optional(),
  }),
])
export type TaskResult = z.infer<typeof taskResultSchema>

/** What one chunk report adds to the batch's figures, summed by the consumer over its tasks. */
export const reportSumsSchema = z.object({
  cacheHits: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  usage: usageSchema,
})
export type ReportSums = z.infer<typeof reportSumsSchema>

/**
 * What a consumer reports for a chunk under the lease it began with: the tasks it finished, as
 * parallel arrays (seq ascending, and each one's final TASK_STATE), whose lines it wrote to the
 * R2 object `part` in the same order; the figures they add; and the tasks that need review, named.
 */
export const chunkReportSchema = z
  .object({
    chunkId: z.number().int().positive(),
    lease: z.number().int().positive(),
    part: z.string().min(1),
    seqs: z.array(z.number().int().positive()).min(1),
    states: z.array(z.number().int().min(1).max(4)),
    sums: reportSumsSchema,
    flagged: z.array(z.object({ customId: z.string(), violations: z.array(z.string()) })),
  })
  .refine((report) => report.states.length === report.seqs.length, {
    message: 'A report has one state per seq.',
    path: ['states'],
  })
export type ChunkReport = z.infer<typeof chunkReportSchema>

export const providerTargetSchema = z.object({ provider: z.string().min(1), model: z.string().min(1) })

export const brandSchema = z.object({
  voice: z.string().nullable(),
  audience: z.string().nullable(),
  language: z.string().nullable(),
  avoid_words: z.array(z.string()),
})
export type Brand = z.infer<typeof brandSchema>

export const templateSnapshotSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  system: z.string().nullable(),
  body: z.string(),
  variables: z.array(z.string()),
})
export type TemplateSnapshot = z.infer<typeof templateSnapshotSchema>

/**
 * How a batch's tasks run, fixed when the batch is created: the route, the tenant's brand voice
 * and template at that moment, whether to use the cache, and which providers of the route were to
 * run on the tenant's own key. The keys themselves are never kept here: each chunk reads the
 * tenant's current keys, so a deleted key stops at once and a replaced one is used from then on.
 */
export const runSettingsSchema = z.object({
  route: z.array(providerTargetSchema).min(1),
  brand: brandSchema.nullable(),
  template: templateSnapshotSchema.nullable(),
  cache: z.boolean(),
  /** Providers of the route the tenant had a key for; without that key now, they are not configured. */
  tenantKeys: z.array(z.string()),
})
export type RunSettings = z.infer<typeof runSettingsSchema>

/**
 * Deliveries of one message before it goes to the dead-letter queue: `max_retries` of the
 * tasks consumer in wrangler.toml, plus the first delivery.
 */
export const MAX_DELIVERIES = 6
