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

/** Sends the batch's dispatched chunks, SEND_BATCH_LIMIT messages a call. */
export async function sendChunks(
  env: Pick<Env, 'TASKS'>,
  tenantId: string,
  batchId: string,
  chunks: readonly { id: number; dispatch: number }[],
  delaySeconds = 0,
): Promise<void> {
  const queue = tasksQueue(env)
  for (let i = 0; i < chunks.length; i += SEND_BATCH_LIMIT) {
    await queue.sendBatch(
      chunks.slice(i, i + SEND_BATCH_LIMIT).map((chunk) => ({
        body: { tenantId, batchId, chunkId: chunk.id, dispatch: chunk.dispatch },
        ...(delaySeconds > 0 && { delaySeconds }),
      })),
    )
  }
}
