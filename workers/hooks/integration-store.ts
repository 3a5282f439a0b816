// Integrations in D1: lookups for the hooks (by id in the path, or by Slack team), their
// secrets sealed per row, and the API's view of them.
import { and, eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { type Integration, type IntegrationKind, integrations } from '../../shared/db/schema'
import { decryptSecret, encryptSecret } from '../../shared/secret-box'

function context(integration: { tenantId: string; id: string }) {
  return `integration:${integration.tenantId}:${integration.id}`
}

export function sealIntegrationSecret(
  env: Pick<Env, 'ENCRYPTION_KEY'>,
  integration: { tenantId: string; id: string },
  secret: string,
) {
  return encryptSecret(env.ENCRYPTION_KEY, secret, context(integration))
}

export function openIntegrationSecret(env: Pick<Env, 'ENCRYPTION_KEY'>, integration: Integration) {
  if (!integration.secret) throw new Error(`Integration ${integration.id} has no secret.`)
  return decryptSecret(env.ENCRYPTION_KEY, integration.secret, context(integration))
}

/** An enabled integration of `kind` named in a hook's path; the path id is what picks the tenant. */
export async function findHookIntegration(database: Database, kind: IntegrationKind, id: string) {
  const row = await database.query.integrations.findFirst({
    where: and(eq(integrations.id, id), eq(integrations.kind, kind), eq(integrations.enabled, true)),
  })
  return row ?? null
}

export async function findSlackTeam(database: Database, teamId: string) {
  const row = await database.query.integrations.findFirst({
    where: and(
      eq(integrations.kind, 'slack'),
      eq(integrations.externalId, teamId),
      eq(integrations.enabled, true),
    ),
  })
  return row ?? null
}

export function hookPath(integration: Pick<Integration, 'id' | 'kind'>): string {
  return integration.kind === 'slack' ? '/hooks/slack' : `/hooks/${integration.kind}/${integration.id}`
}

export function presentIntegration(row: Integration, origin: string) {
  return {
    id: row.id,
    object: 'integration' as const,
    kind: row.kind,
    name: row.name,
    enabled: row.enabled,
    external_id: row.externalId,
    config: row.config,
    hook_url: `${origin}${hookPath(row)}`,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  }
}
