// The delivery log: every attempt at delivering a message to an endpoint, as stored and as shown.
import type { Database } from '../../shared/db/client'
import { type WebhookDelivery, webhookDeliveries } from '../../shared/db/schema'
import { newId } from '../../shared/ids'

export type AttemptRecord = Omit<typeof webhookDeliveries.$inferInsert, 'id' | 'createdAt'>

export async function recordAttempt(database: Database, attempt: AttemptRecord): Promise<WebhookDelivery> {
  const [row] = await database
    .insert(webhookDeliveries)
    .values({ id: newId('whd'), ...attempt })
    .returning()
  return row!
}

export function presentDelivery(row: WebhookDelivery) {
  return {
    id: row.id,
    object: 'webhook_delivery' as const,
    endpoint_id: row.endpointId,
    message_id: row.messageId,
    event_type: row.eventType,
    attempt: row.attempt,
    trigger: row.trigger,
    status: row.status,
    response_status: row.responseStatus,
    latency_ms: row.latencyMs,
    error: row.error,
    next_attempt_in: row.nextAttemptIn,
    created_at: row.createdAt,
  }
}
