// Fixes how a batch (or a realtime call) will run, from the request and the tenant's settings
// in D1: the route (an explicit model, the tenant's override for the task, or the task's
// default), the brand voice, the template version, the cache choice, and which providers of the
// route run on the tenant's own key (the keys are read again, and decrypted, where calls are made).
import { and, desc, eq } from 'drizzle-orm'
import { db } from '../../shared/db/client'
import {
  brandProfiles,
  type ProviderTarget,
  providerKeys,
  routeOverrides,
  templates,
} from '../../shared/db/schema'
import { AppError } from '../../shared/errors'
import type { RunSettings, TemplateSnapshot } from '../../shared/pipeline/messages'
import { PROVIDER_SLUGS, type ProviderSlug, type TaskDefinition } from '../../shared/tasks/types'
import { configuredProviders, defaultRoute, type ProviderEnv } from './providers'

export type RunRequest = {
  task: TaskDefinition
  /** `provider:model` (e.g. `openai:gpt-4o-mini`), or a model name for the route's first provider. */
  model?: string | null
  /** `name` (latest version) or `name@version`. */
  template?: string | null
  cache?: boolean
}

function parseModel(model: string): { provider: ProviderSlug | null; model: string } {
  const colon = model.indexOf(':')
  const prefix = colon > 0 ? model.slice(0, colon) : ''
  return (PROVIDER_SLUGS as readonly string[]).includes(prefix)
    ? { provider: prefix as ProviderSlug, model: model.slice(colon + 1) }
    : { provider: null, model }
}

function parseTemplateRef(ref: string): { name: string; version: number | null } {
  const at = ref.lastIndexOf('@')
  if (at > 0 && /^\d+$/.test(ref.slice(at + 1)))
    return { name: ref.slice(0, at), version: Number(ref.slice(at + 1)) }
  return { name: ref, version: null }
}

async function loadTemplate(
  database: ReturnType<typeof db>,
  tenantId: string,
  ref: string,
  task: TaskDefinition,
) {
  const { name, version } = parseTemplateRef(ref)
  const row = await database.query.templates.findFirst({
    where: and(
      eq(templates.tenantId, tenantId),
      eq(templates.name, name),
      version === null ? undefined : eq(templates.version, version),
    ),
    orderBy: desc(templates.version),
  })
  if (!row) throw new AppError('template_not_found', 404, `Template "${ref}" not found.`)
  if (row.task !== task.type)
    throw new AppError(
      'template_task_mismatch',
      400,
      `Template "${ref}" is for ${row.task}, not ${task.type}.`,
    )
  return {
    name: row.name,
    version: row.version,
    system: row.system,
    body: row.body,
    variables: row.variables,
  } satisfies TemplateSnapshot
}

function chooseRoute(
  request: RunRequest,
  override: ProviderTarget[] | null,
  configured: Set<ProviderSlug>,
  env: ProviderEnv,
): ProviderTarget[] {
  const base = override ?? defaultRoute(request.task, configured, env)
  if (!request.model) return base
  const wanted = parseModel(request.model)
  if (!wanted.provider) return [{ provider: base[0]!.provider, model: wanted.model }]
  if (wanted.provider !== 'simulated' && !configured.has(wanted.provider))
    throw new AppError(
      'provider_not_configured',
      400,
      `Provider "${wanted.provider}" is not configured: add your key with PUT /v1/provider-keys/${wanted.provider}.`,
    )
  return [{ provider: wanted.provider, model: wanted.model }]
}

export async function resolveRunSettings(
  env: ProviderEnv & { DB: D1Database },
  tenantId: string,
  request: RunRequest,
): Promise<RunSettings> {
  const database = db(env.DB)
  // Plain selects: drizzle's relational findFirst breaks inside a batch when it finds no row.
  const [[brand], keys, [override]] = await database.batch([
    database.select().from(brandProfiles).where(eq(brandProfiles.tenantId, tenantId)).limit(1),
    database
      .select({ provider: providerKeys.provider })
      .from(providerKeys)
      .where(eq(providerKeys.tenantId, tenantId)),
    database
      .select()
      .from(routeOverrides)
      .where(and(eq(routeOverrides.tenantId, tenantId), eq(routeOverrides.task, request.task.type)))
      .limit(1),
  ])
  const configured = configuredProviders(
    env,
    keys.map((key) => key.provider),
  )
  const route = chooseRoute(request, override?.targets ?? null, configured, env)
  const tenantKeys = keys
    .map((key) => key.provider)
    .filter((provider) => route.some((target) => target.provider === provider))
  return {
    route,
    brand: brand
      ? {
          voice: brand.voice,
          audience: brand.audience,
          language: brand.language,
          avoid_words: brand.avoidWords,
        }
      : null,
    template: request.template
      ? await loadTemplate(database, tenantId, request.template, request.task)
      : null,
    cache: request.cache ?? true,
    tenantKeys,
  }
}
