// Fans an event out: stores its body once (the same bytes for every endpoint and every
// attempt) and queues one delivery per enabled endpoint of the tenant subscribed to its type.
// Messages and their delivery log are kept MESSAGE_RETENTION_SECONDS, pruned as new ones come.
import { and, eq, lt } from 'drizzle-orm'
import { db } from '../../shared/db/client'
import { webhookEndpoints, webhookMessages } from '../../shared/db/schema'
import { SEND_BATCH_LIMIT, webhooksQueue } from '../../shared/queues'
import { eventBody } from '../../shared/webhooks/events'
import type { DeliveryMessage, EventMessage } from '../../shared/webhooks/messages'

export const MESSAGE_RETENTION_SECONDS = 30 * 86400

/** Returns how many deliveries were queued. */
export async function fanOut(env: Pick<Env, 'DB' | 'WEBHOOKS'>, event: EventMessage): Promise<number> {
  const database = db(env.DB)
  const endpoints = await database
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenantId, event.tenantId), eq(webhookEndpoints.enabled, true)))
  const targets = endpoints.filter((endpoint) => endpoint.events.includes(event.type))
  if (!targets.length) return 0

  await database.batch([
    database
      .insert(webhookMessages)
      .values({ id: event.id, tenantId: event.tenantId, type: event.type, body: eventBody(event) })
      .onConflictDoNothing(),
    database
      .delete(webhookMessages)
      .where(
        and(
          eq(webhookMessages.tenantId, event.tenantId),
          lt(webhookMessages.createdAt, Math.floor(Date.now() / 1000) - MESSAGE_RETENTION_SECONDS),
        ),
      ),
  ])
  const deliveries = targets.map(
    (endpoint): DeliveryMessage => ({
      kind: 'delivery',
      tenantId: event.tenantId,
      endpointId: endpoint.id,
      messageId: event.id,
      trigger: 'event',
    }),
  )
  for (let i = 0; i < deliveries.length; i += SEND_BATCH_LIMIT)
    await webhooksQueue(env).sendBatch(deliveries.slice(i, i + SEND_BATCH_LIMIT).map((body) => ({ body })))
  return deliveries.length
}
