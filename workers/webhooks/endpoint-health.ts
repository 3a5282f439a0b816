// Keeps an endpoint's health and disables it when the receiver is gone or keeps failing:
// at once on 410 Gone; when five messages in a row used up every attempt; or when a message
// used up every attempt and the endpoint has not had one success for 24 hours. A disabled
// endpoint gets an audit entry; enabling it again (PATCH) clears the count.
import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { type WebhookEndpoint, webhookEndpoints } from '../../shared/db/schema'
import { tenantRow } from '../../shared/db/tenant-rows'
import { recordAudit } from '../identity/audit'

export const DISABLE_AFTER_EXHAUSTED_MESSAGES = 5
export const DISABLE_AFTER_FAILING_SECONDS = 24 * 3600

export type DisableReason = 'gone' | 'failing' | 'url_refused'

const nowSeconds = () => Math.floor(Date.now() / 1000)

export async function markDelivered(database: Database, endpoint: WebhookEndpoint): Promise<void> {
  await database
    .update(webhookEndpoints)
    .set({ consecutiveFailures: 0, failingSince: null, lastSuccessAt: nowSeconds() })
    .where(tenantRow(webhookEndpoints, endpoint))
}

export async function markAttemptFailed(database: Database, endpoint: WebhookEndpoint): Promise<void> {
  await database
    .update(webhookEndpoints)
    .set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${nowSeconds()})` })
    .where(tenantRow(webhookEndpoints, endpoint))
}

export async function disableEndpoint(
  database: Database,
  endpoint: WebhookEndpoint,
  reason: DisableReason,
  details: Record<string, unknown>,
): Promise<void> {
  const [disabled] = await database
    .update(webhookEndpoints)
    .set({ enabled: false, disabledReason: reason, updatedAt: nowSeconds() })
    .where(and(tenantRow(webhookEndpoints, endpoint), eq(webhookEndpoints.enabled, true)))
    .returning({ id: webhookEndpoints.id })
  if (!disabled) return
  await recordAudit(database, {
    tenantId: endpoint.tenantId,
    actor: 'system',
    action: 'webhook.disabled',
    target: endpoint.id,
    details: { reason, url: endpoint.url, ...details },
  })
}

/** A message used up every attempt: count it, and disable the endpoint when the policy says so. */
export async function markExhausted(
  database: Database,
  endpoint: WebhookEndpoint,
  messageId: string,
): Promise<void> {
  const now = nowSeconds()
  const [row] = await database
    .update(webhookEndpoints)
    .set({
      consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`,
      failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${now})`,
    })
    .where(tenantRow(webhookEndpoints, endpoint))
    .returning()
  if (!row) return
  const failingFor = now - (row.failingSince ?? now)
  if (
    row.consecutiveFailures >= DISABLE_AFTER_EXHAUSTED_MESSAGES ||
    failingFor > DISABLE_AFTER_FAILING_SECONDS
  ) {
    await disableEndpoint(database, row, 'failing', {
      consecutive_failures: row.consecutiveFailures,
      failing_since: row.failingSince,
      last_message_id: messageId,
    })
  }
}
