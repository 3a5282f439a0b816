// Emitting events: anything in the platform (API, batch objects, consumers) calls `emitEvent`,
// which puts one message on the `webhooks` queue; its consumer fans it out to the tenant's
// endpoints that subscribe to the type. Emitting never fails the caller: a lost event is
// logged, a batch is never failed over a notification.
import { newId } from '../ids'
import { webhooksQueue } from '../queues'
import type { EventType } from '../schemas/webhooks'
import type { EventMessage } from './messages'

export type WebhookEvent = { type: EventType; data: Record<string, unknown> }

/** The body endpoints receive, per the Standard Webhooks payload structure. */
export function eventBody(message: Pick<EventMessage, 'type' | 'timestamp' | 'data'>): string {
  return JSON.stringify({ type: message.type, timestamp: message.timestamp, data: message.data })
}

/**
 * Queues `event` for the tenant's endpoints.
 * @example await emitEvent(env, tenantId, { type: 'batch.created', data: { batch_id } })
 */
export async function emitEvent(
  env: Pick<Env, 'WEBHOOKS'>,
  tenantId: string,
  event: WebhookEvent,
): Promise<void> {
  const message: EventMessage = {
    kind: 'event',
    tenantId,
    id: newId('msg'),
    type: event.type,
    timestamp: new Date().toISOString(),
    data: event.data,
  }
  try {
    await webhooksQueue(env).send(message)
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        event: event.type,
        tenant: tenantId,
        error: `event not queued: ${error}`,
      }),
    )
  }
}
