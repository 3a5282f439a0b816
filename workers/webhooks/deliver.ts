import { type Database, db } from '../../shared/db/client'
import { type WebhookEndpoint, webhookMessages } from '../../shared/db/schema'
import { tenantRow } from '../../shared/db/tenant-rows'
import type { DeliveryMessage } from '../../shared/webhooks/messages'
import { recordAttempt } from './delivery-log'
import { disableEndpoint, markAttemptFailed, markDelivered, markExhausted } from './endpoint-health'
import { loadEndpoint } from './endpoints'
import { retryDelaySeconds } from './retry-schedule'
import { type AttemptResult, type SendEnv, type StoredMessage, sendAttempt } from './send-attempt'

export type DeliverEnv = SendEnv & Pick<Env, 'DB'>

type Attempt = {
  endpoint: WebhookEndpoint
  message: StoredMessage
  attempt: number
  trigger: 'event' | 'manual' | 'test'
}

export async function loadMessage(database: Database, tenantId: string, messageId: string) {
  return database.query.webhookMessages.findFirst({
    where: tenantRow(webhookMessages, { id: messageId, tenantId }),
  })
}

async function settle(database: Database, { endpoint, message, attempt }: Attempt, result: AttemptResult) {
  if (result.ok) {
    await markDelivered(database, endpoint)
    return null
  }
  if (result.gone) {
    await disableEndpoint(database, endpoint, 'gone', { message_id: message.id })
    return null
  }
  if (result.refused) {
    await disableEndpoint(database, endpoint, 'url_refused', { error: result.error })
    return null
  }
  const retryIn = retryDelaySeconds(attempt, result.retryAfterSeconds)
  if (retryIn === null) await markExhausted(database, endpoint, message.id)
  else await markAttemptFailed(database, endpoint)
  return retryIn
}

/** One attempt, logged; answers when to retry (seconds), or null when there is nothing more to do. */
export async function deliverOnce(env: DeliverEnv, attempt: Attempt) {
  const database = db(env.DB)
  const result = await sendAttempt(env, attempt.endpoint, attempt.message)
  const retryInSeconds = attempt.trigger === 'test' ? null : await settle(database, attempt, result)
  const delivery = await recordAttempt(database, {
    tenantId: attempt.endpoint.tenantId,
    endpointId: attempt.endpoint.id,
    messageId: attempt.message.id,
    eventType: attempt.message.type,
    attempt: attempt.attempt,
    trigger: attempt.trigger,
    status: result.ok ? 'succeeded' : 'failed',
    responseStatus: result.status,
    latencyMs: result.latencyMs,
    error: result.error,
    nextAttemptIn: retryInSeconds,
  })
  return { delivery, retryInSeconds }
}

/** A queued delivery; nothing happens when the endpoint was deleted or disabled meanwhile. */
export async function deliverQueued(env: DeliverEnv, queued: DeliveryMessage, attempt: number) {
  const database = db(env.DB)
  const [endpoint, message] = await Promise.all([
    loadEndpoint(database, queued.tenantId, queued.endpointId),
    loadMessage(database, queued.tenantId, queued.messageId),
  ])
  if (!endpoint?.enabled || !message) return { retryInSeconds: null }
  return deliverOnce(env, { endpoint, message, attempt, trigger: queued.trigger })
}
