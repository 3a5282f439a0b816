// The dead-letter consumer of the `tasks` queue: a chunk whose every delivery failed ends here,
// and its open tasks are recorded as failed, so nothing is silently dropped.

import { batchCoordinator } from '../../durable-objects/stubs'
import { chunkMessageSchema } from '../../shared/pipeline/messages'

export async function consumeDeadTasks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = chunkMessageSchema.safeParse(message.body)
    if (!parsed.success) {
      message.ack()
      continue
    }
    const { tenantId, batchId, chunks } = parsed.data
    const coordinator = batchCoordinator(env, tenantId, batchId)
    for (const chunk of chunks) {
      await coordinator.failChunk(chunk.chunkId, chunk.dispatch, {
        code: 'delivery_failed',
        message: `The task could not be processed after ${message.attempts} deliveries of its chunk.`,
      })
    }
    message.ack()
  }
}
