// The Worker's queues with the message each carries: every producer sends through these, so a
// message that does not fit its consumer's schema does not type-check.
import type { ChunkMessage } from './pipeline/messages'
import type { WebhooksQueueMessage } from './webhooks/messages'

/** The `tasks` queue: chunks of a batch to run. */
export function tasksQueue(env: Pick<Env, 'TASKS'>): Queue<ChunkMessage> {
  return env.TASKS
}

/** The `webhooks` queue: events to fan out, endpoint deliveries, work from inbound hooks. */
export function webhooksQueue(env: Pick<Env, 'WEBHOOKS'>): Queue<WebhooksQueueMessage> {
  return env.WEBHOOKS
}

/** Queues send at most this many messages per sendBatch call. */
export const SEND_BATCH_LIMIT = 100

/** Chunks one message names at most, so one consumer invocation runs a bounded amount of work. */
export const CHUNKS_PER_MESSAGE = 8

/** Sends the batch's dispatched chunks, CHUNKS_PER_MESSAGE to a message. */
export async function sendChunks(
  env: Pick<Env, 'TASKS'>,
  tenantId: string,
  batchId: string,
  chunks: readonly { id: number; dispatch: number }[],
): Promise<void> {
  const messages = []
  for (let i = 0; i < chunks.length; i += CHUNKS_PER_MESSAGE) {
    const refs = chunks
      .slice(i, i + CHUNKS_PER_MESSAGE)
      .map((chunk) => ({ chunkId: chunk.id, dispatch: chunk.dispatch }))
    messages.push({ body: { tenantId, batchId, chunks: refs } })
  }
  const queue = tasksQueue(env)
  for (let i = 0; i < messages.length; i += SEND_BATCH_LIMIT)
    await queue.sendBatch(messages.slice(i, i + SEND_BATCH_LIMIT))
}
