// What travels between the BatchCoordinator, the `tasks` queue and its consumers.
import { z } from 'zod'

/** A queue message names a chunk of tasks; the consumer fetches the chunk's open tasks when it begins. */
export const chunkMessageSchema = z.object({
  tenantId: z.string(),
  batchId: z.string(),
  chunkId: z.number().int(),
})
export type ChunkMessage = z.infer<typeof chunkMessageSchema>

export const taskErrorSchema = z.object({ code: z.string(), message: z.string() })
export type TaskError = z.infer<typeof taskErrorSchema>

export const usageSchema = z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() })

export const taskResultSchema = z.discriminatedUnion('status', [
  z.object({
    seq: z.number().int(),
    status: z.literal('succeeded'),
    output: z.unknown(),
    usage: usageSchema,
    provider: z.string(),
    model: z.string(),
  }),
  z.object({ seq: z.number().int(), status: z.literal('failed'), error: taskErrorSchema }),
])
export type TaskResult = z.infer<typeof taskResultSchema>

export const chunkReportSchema = z.object({ chunkId: z.number().int(), results: z.array(taskResultSchema) })
export type ChunkReport = z.infer<typeof chunkReportSchema>

/** What the consumer needs to run a chunk: the batch's task settings and the chunk's open tasks. */
export const chunkWorkSchema = z.object({
  task: z.string(),
  params: z.record(z.string(), z.unknown()),
  model: z.string().nullable(),
  items: z.array(
    z.object({ seq: z.number().int(), customId: z.string(), input: z.record(z.string(), z.unknown()) }),
  ),
})
export type ChunkWork = z.infer<typeof chunkWorkSchema>

/**
 * Deliveries of one message before it goes to the dead-letter queue: `max_retries` of the
 * tasks consumer in wrangler.toml, plus the first delivery.
 */
export const MAX_DELIVERIES = 6
