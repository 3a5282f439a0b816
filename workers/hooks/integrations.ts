// Setting up integrations: each kind's identity (shop domain, Slack team), secret (the Shopify
// app secret the tenant brings, or a `whsec_` secret made for a generic sender, shown once) and
// rules, checked against the task catalogue before they are saved. A tenant holds at most its
// plan's `max_integrations`.
import { and, eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { type Integration, integrations } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { batchCreateSchema } from '../../shared/schemas/batches'
import {
  type GenericMapping,
  type IntegrationCreate,
  type IntegrationUpdate,
  type ShopifyRules,
  shopifyRulesSchema,
} from '../../shared/schemas/integrations'
import { validateTask } from '../batches/create-batch'
import { insertWithinLimit } from '../security/plan-limits'
import { generateSigningSecret } from '../webhooks/standard-signature'
import { sealIntegrationSecret } from './integration-store'

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** Checks a task, its params and the input fields named, the way a batch create would. */
function checkTask(task: string, params: Record<string, unknown>, fields: string[] = []) {
  const body = batchCreateSchema.parse({
    task,
    params,
    items: [{ custom_id: 'check', input: {} }],
    ...(fields.length ? { mapping: Object.fromEntries(fields.map((field) => [field, field])) } : {}),
  })
  validateTask(body)
}

function checkShopifyRules(rules: ShopifyRules) {
  for (const task of rules.tasks) checkTask(task, rules.params[task] ?? {})
}

function checkMapping(mapping: GenericMapping) {
  checkTask(mapping.task, mapping.params, Object.keys(mapping.fields))
}

async function assertUnclaimed(database: Database, kind: Integration['kind'], externalId: string) {
  const taken = await database.query.integrations.findFirst({
    where: and(eq(integrations.kind, kind), eq(integrations.externalId, externalId)),
  })
  if (taken) throw errors.conflict(`${externalId} is already linked to an IA Bulk account.`)
}

/** Creates an integration, within the plan's `max_integrations`. */
export async function createIntegration(
  env: Pick<Env, 'ENCRYPTION_KEY'>,
  database: Database,
  owner: { tenantId: string; maxIntegrations: number },
  input: IntegrationCreate,
) {
  const { tenantId } = owner
  const id = newId('int')
  const base = { id, tenantId, kind: input.kind, updatedAt: nowSeconds() }
  let row: typeof integrations.$inferInsert
  let shownSecret: string | null = null
  if (input.kind === 'shopify') {
    const rules = shopifyRulesSchema.parse(input.rules ?? {})
    checkShopifyRules(rules)
    await assertUnclaimed(database, 'shopify', input.shop_domain)
    const secret = await sealIntegrationSecret(env, { tenantId, id }, input.app_secret)
    row = {
      ...base,
      name: input.name ?? input.shop_domain,
      externalId: input.shop_domain,
      secret,
      config: rules,
    }
  } else if (input.kind === 'slack') {
    await assertUnclaimed(database, 'slack', input.team_id)
    row = { ...base, name: input.name ?? `Slack ${input.team_id}`, externalId: input.team_id, config: {} }
  } else {
    checkMapping(input.mapping)
    shownSecret = generateSigningSecret()
    const secret = await sealIntegrationSecret(env, { tenantId, id }, shownSecret)
    row = { ...base, name: input.name, secret, config: input.mapping }
  }
  const [created] = await insertWithinLimit(database, {
    table: integrations,
    row: { id, tenantId },
    limit: 'max_integrations',
    max: owner.maxIntegrations,
    what: 'integrations',
    insert: () => database.insert(integrations).values(row).returning(),
  })
  return { integration: created!, secret: shownSecret }
}

export async function integrationChanges(
  env: Pick<Env, 'ENCRYPTION_KEY'>,
  integration: Integration,
  patch: IntegrationUpdate,
): Promise<Partial<typeof integrations.$inferInsert>> {
  const notFor = (field: string) =>
    new AppError('validation_failed', 400, `${field} does not apply to a ${integration.kind} integration.`)
  const changes: Partial<typeof integrations.$inferInsert> = { updatedAt: nowSeconds() }
  if (patch.name !== undefined) changes.name = patch.name
  if (patch.enabled !== undefined) changes.enabled = patch.enabled
  if (patch.app_secret !== undefined) {
    if (integration.kind !== 'shopify') throw notFor('app_secret')
    changes.secret = await sealIntegrationSecret(env, integration, patch.app_secret)
  }
  if (patch.rules !== undefined) {
    if (integration.kind !== 'shopify') throw notFor('rules')
    checkShopifyRules(patch.rules)
    changes.config = patch.rules
  }
  if (patch.mapping !== undefined) {
    if (integration.kind !== 'generic') throw notFor('mapping')
    checkMapping(patch.mapping)
    changes.config = patch.mapping
  }
  return changes
}
