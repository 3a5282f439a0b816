// The `webhooks` queue consumer: fans events out to endpoints, delivers each endpoint's copy
// (retrying on the schedule with `retry({ delaySeconds })`), and creates the batches inbound
// hooks asked for. An unexpected error retries the message with backoff; deliveries are
// idempotent for receivers through the unchanged `webhook-id`.
import { backoffSeconds } from '../../shared/pipeline/backoff'
import { webhooksQueueMessageSchema } from '../../shared/webhooks/messages'
import { startHookBatches } from '../hooks/hook-work'
import { deliverQueued } from './deliver'
import { fanOut } from './fan-out'
import { MAX_DELIVERY_ATTEMPTS } from './retry-schedule'

async function consumeOne(message: Message<unknown>, env: Env): Promise<void> {
  const parsed = webhooksQueueMessageSchema.safeParse(message.body)
  if (!parsed.success) {
    console.error(
      JSON.stringify({
        level: 'error',
        queue: 'webhooks',
        error: 'malformed message dropped',
        id: message.id,
      }),
    )
    return message.ack()
  }
  const work = parsed.data
  try {
    if (work.kind === 'event') {
      await fanOut(env, work)
      return message.ack()
    }
    if (work.kind === 'delivery') {
      const { retryInSeconds } = await deliverQueued(env, work, message.attempts)
      return retryInSeconds === null ? message.ack() : message.retry({ delaySeconds: retryInSeconds })
    }
    const retry = await startHookBatches(env, work, message.attempts >= MAX_DELIVERY_ATTEMPTS)
    return retry ? message.retry({ delaySeconds: backoffSeconds(message.attempts) }) : message.ack()
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        queue: 'webhooks',
        kind: work.kind,
        id: message.id,
        error: String(error),
      }),
    )
    message.retry({ delaySeconds: backoffSeconds(message.attempts) })
  }
}

export async function consumeWebhooks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeOne(message, env)))
}
