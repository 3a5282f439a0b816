// The dead-letter consumer of the `webhooks` queue: messages whose every delivery crashed.
// A delivery that ends here counts as a message that used up its attempts (so a broken
// endpoint is still disabled by the policy); anything else is logged and dropped.
import { db } from '../../shared/db/client'
import { webhooksQueueMessageSchema } from '../../shared/webhooks/messages'
import { loadMessage } from './deliver'
import { recordAttempt } from './delivery-log'
import { markExhausted } from './endpoint-health'
import { loadEndpoint } from './endpoints'

export async function consumeDeadWebhooks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const database = db(env.DB)
  for (const message of batch.messages) {
    const parsed = webhooksQueueMessageSchema.safeParse(message.body)
    const work = parsed.success ? parsed.data : null
    if (work?.kind === 'delivery') {
      const endpoint = await loadEndpoint(database, work.tenantId, work.endpointId)
      const stored = endpoint && (await loadMessage(database, work.tenantId, work.messageId))
      if (endpoint && stored) {
        await recordAttempt(database, {
          tenantId: work.tenantId,
          endpointId: endpoint.id,
          messageId: stored.id,
          eventType: stored.type,
          attempt: message.attempts,
          trigger: work.trigger,
          status: 'failed',
          responseStatus: null,
          latencyMs: 0,
          error: `Dead-lettered after ${message.attempts} deliveries that failed inside IA Bulk.`,
          nextAttemptIn: null,
        })
        if (endpoint.enabled) await markExhausted(database, endpoint, stored.id)
      }
    } else {
      console.error(
        JSON.stringify({
          level: 'error',
          queue: 'webhooks-dlq',
          kind: work?.kind ?? 'malformed',
          id: message.id,
        }),
      )
    }
    message.ack()
  }
}
