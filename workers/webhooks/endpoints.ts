import { and, eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { type WebhookEndpoint, type WebhookKind, webhookEndpoints } from '../../shared/db/schema'
import { tenantRow } from '../../shared/db/tenant-rows'
import { AppError, errors } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { assertWebhookUrl, type UrlGuardEnv } from '../../shared/net/url-guard'
import { BATCH_END_EVENTS, EVENT_TYPES, type EventType } from '../../shared/schemas/webhooks'
import { insertWithinLimit } from '../security/plan-limits'
import { sealEndpointSecret } from './secrets'
import { generateSigningSecret } from './standard-signature'

type EndpointEnv = Pick<Env, 'ENCRYPTION_KEY'> & UrlGuardEnv

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** The events an endpoint gets: as asked, or every type (Slack: the batch-end types, and only those). */
export function resolveEvents(kind: WebhookKind, events: EventType[] | undefined): string[] {
  const allowed: readonly string[] = kind === 'slack' ? BATCH_END_EVENTS : EVENT_TYPES
  const chosen = events ?? allowed
  const refused = chosen.filter((event) => !allowed.includes(event))
  if (refused.length)
    throw errors.validation(
      `A ${kind} endpoint cannot take ${refused.join(', ')}; it takes ${allowed.join(', ')}.`,
    )
  return [...new Set(chosen)]
}

export function presentEndpoint(row: WebhookEndpoint) {
  return {
    id: row.id,
    object: 'webhook_endpoint' as const,
    kind: row.kind,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    previous_secret_expires_at:
      row.previousSecret && (row.previousSecretExpiresAt ?? 0) > nowSeconds()
        ? row.previousSecretExpiresAt
        : null,
    consecutive_failures: row.consecutiveFailures,
    failing_since: row.failingSince,
    last_success_at: row.lastSuccessAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  }
}

/** 409 `webhook_url_taken` when another endpoint of the tenant posts to this URL already. */
export async function assertUrlFree(database: Database, tenantId: string, url: string, exceptId?: string) {
  const taken = await database.query.webhookEndpoints.findFirst({
    columns: { id: true },
    where: and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.url, url)),
  })
  if (taken && taken.id !== exceptId)
    throw new AppError('webhook_url_taken', 409, `Endpoint ${taken.id} already receives events at ${url}.`)
}

/** Creates an endpoint, within the plan's `max_webhook_endpoints` and one per URL. */
export async function createEndpoint(
  env: EndpointEnv,
  database: Database,
  owner: { tenantId: string; maxEndpoints: number },
  input: { url: string; kind: WebhookKind; events?: EventType[]; description?: string; enabled: boolean },
) {
  const { tenantId } = owner
  const url = assertWebhookUrl(input.url, env).href
  const events = resolveEvents(input.kind, input.events)
  await assertUrlFree(database, tenantId, url)
  const id = newId('wh')
  const secret = input.kind === 'standard' ? generateSigningSecret() : null
  const sealed = secret && (await sealEndpointSecret(env, { tenantId, id }, secret))
  const [row] = await insertWithinLimit(database, {
    table: webhookEndpoints,
    row: { id, tenantId },
    limit: 'max_webhook_endpoints',
    max: owner.maxEndpoints,
    what: 'webhook endpoints',
    insert: () =>
      database
        .insert(webhookEndpoints)
        .values({
          id,
          tenantId,
          kind: input.kind,
          url,
          events,
          description: input.description ?? null,
          enabled: input.enabled,
          disabledReason: input.enabled ? null : 'manual',
          secret: sealed,
          updatedAt: nowSeconds(),
        })
        .returning(),
  })
  return { endpoint: row!, secret }
}

/** The tenant's endpoint, or undefined (also for another tenant's id). */
export function loadEndpoint(database: Database, tenantId: string, id: string) {
  return database.query.webhookEndpoints.findFirst({
    where: tenantRow(webhookEndpoints, { id, tenantId }),
  })
}

/** The tenant's endpoint, or 404. */
export async function findEndpoint(
  database: Database,
  tenantId: string,
  id: string,
): Promise<WebhookEndpoint> {
  const row = await loadEndpoint(database, tenantId, id)
  if (!row) throw errors.notFound('Webhook endpoint')
  return row
}

export function endpointChanges(
  env: EndpointEnv,
  endpoint: WebhookEndpoint,
  patch: { url?: string; events?: EventType[]; description?: string | null; enabled?: boolean },
): Partial<typeof webhookEndpoints.$inferInsert> {
  const changes: Partial<typeof webhookEndpoints.$inferInsert> = { updatedAt: nowSeconds() }
  if (patch.url !== undefined) changes.url = assertWebhookUrl(patch.url, env).href
  if (patch.events !== undefined) changes.events = resolveEvents(endpoint.kind, patch.events)
  if (patch.description !== undefined) changes.description = patch.description
  if (patch.enabled === true)
    Object.assign(changes, {
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
      failingSince: null,
    })
  if (patch.enabled === false) Object.assign(changes, { enabled: false, disabledReason: 'manual' })
  return changes
}

/** A new current secret; the old one keeps signing for `overlapSeconds` so receivers can switch. */
export async function rotateSecret(env: EndpointEnv, endpoint: WebhookEndpoint, overlapSeconds: number) {
  if (endpoint.kind !== 'standard' || !endpoint.secret)
    throw new AppError(
      'no_signing_secret',
      409,
      'Slack endpoints are not signed, so they have no secret to rotate.',
    )
  const secret = generateSigningSecret()
  const changes = {
    secret: await sealEndpointSecret(env, endpoint, secret),
    previousSecret: overlapSeconds > 0 ? endpoint.secret : null,
    previousSecretExpiresAt: overlapSeconds > 0 ? nowSeconds() + overlapSeconds : null,
    updatedAt: nowSeconds(),
  }
  return { changes, secret }
}
