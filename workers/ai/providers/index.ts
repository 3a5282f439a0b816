// Which providers this deployment (and this tenant) can call, and the default route of a task.
// A tenant's own key for a provider takes the place of the platform's.
import type { ProviderTarget } from '../../../shared/db/schema'
import type { UrlGuardEnv } from '../../../shared/net/url-guard'
import type { ProviderSlug, TaskDefinition } from '../../../shared/tasks/types'
import type { Provider } from '../provider'
import { anthropicProvider } from './anthropic'
import { openaiProvider } from './openai'
import { simulatedProvider } from './simulated'
import { readSimulatedConfig } from './simulated/config'
import { workersAiProvider } from './workers-ai'
import { aiOverRest } from './workers-ai/rest-binding'

/** What choosing and calling providers reads of the Worker's settings. */
export type ProviderEnv = UrlGuardEnv &
  Partial<
    Pick<
      Env,
      | 'DEFAULT_PROVIDER'
      | 'AI'
      | 'OPENAI_API_KEY'
      | 'OPENAI_BASE_URL'
      | 'ANTHROPIC_API_KEY'
      | 'ANTHROPIC_BASE_URL'
      | 'WORKERS_AI_ACCOUNT_ID'
      | 'WORKERS_AI_API_TOKEN'
      | 'WORKERS_AI_BASE_URL'
      | 'SIMULATED_LATENCY_MS'
      | 'SIMULATED_FAILURES'
    >
  >

/** A tenant's own provider key, decrypted. */
export type TenantCredential = { apiKey: string; baseUrl: string | null }
export type TenantCredentials = Partial<Record<ProviderSlug, TenantCredential>>

const REAL_PROVIDERS = ['workers-ai', 'openai', 'anthropic'] as const

/** The real providers usable with this env and these tenant keys (by presence, not by value). */
export function configuredProviders(env: ProviderEnv, tenantKeys: Iterable<string>): Set<ProviderSlug> {
  const keys = new Set(tenantKeys)
  const slugs = new Set<ProviderSlug>()
  if (
    (env.DEFAULT_PROVIDER === 'workers-ai' && env.AI) ||
    (env.WORKERS_AI_ACCOUNT_ID && env.WORKERS_AI_API_TOKEN)
  )
    slugs.add('workers-ai')
  if (keys.has('openai') || env.OPENAI_BASE_URL || env.OPENAI_API_KEY) slugs.add('openai')
  if (keys.has('anthropic') || env.ANTHROPIC_API_KEY) slugs.add('anthropic')
  return slugs
}

/**
 * A task's default route: its model on every configured real provider, the default provider
 * first; the simulated provider when none is configured.
 */
export function defaultRoute(task: TaskDefinition, configured: Set<ProviderSlug>, env: ProviderEnv) {
  const order = [env.DEFAULT_PROVIDER, ...REAL_PROVIDERS].filter(
    (slug, index, all): slug is ProviderSlug =>
      !!slug && all.indexOf(slug) === index && configured.has(slug as ProviderSlug),
  )
  const targets: ProviderTarget[] = order.flatMap((slug) =>
    task.models[slug] ? [{ provider: slug, model: task.models[slug]! }] : [],
  )
  return targets.length ? targets : [{ provider: 'simulated', model: task.models.simulated ?? 'simulated-1' }]
}

/**
 * Provider instances for one run, keyed by slug. A base URL from a tenant's key is fetched
 * through the URL guard; the operator's (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, …) is trusted.
 */
export function providersFor(
  env: ProviderEnv,
  credentials: TenantCredentials = {},
): Record<string, Provider> {
  const providers: Record<string, Provider> = { simulated: simulatedProvider(readSimulatedConfig(env)) }
  const openai =
    credentials.openai ??
    (env.OPENAI_BASE_URL || env.OPENAI_API_KEY
      ? { apiKey: env.OPENAI_API_KEY ?? '', baseUrl: env.OPENAI_BASE_URL ?? null }
      : null)
  if (openai)
    providers.openai = openaiProvider({
      apiKey: openai.apiKey || undefined,
      baseUrl: openai.baseUrl ?? undefined,
      guard: credentials.openai ? env : undefined,
    })
  const anthropic =
    credentials.anthropic ??
    (env.ANTHROPIC_API_KEY
      ? { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL ?? null }
      : null)
  if (anthropic)
    providers.anthropic = anthropicProvider({
      apiKey: anthropic.apiKey,
      baseUrl: anthropic.baseUrl ?? undefined,
      guard: credentials.anthropic ? env : undefined,
    })
  if (env.WORKERS_AI_ACCOUNT_ID && env.WORKERS_AI_API_TOKEN) {
    const ai = aiOverRest({
      accountId: env.WORKERS_AI_ACCOUNT_ID,
      apiToken: env.WORKERS_AI_API_TOKEN,
      baseUrl: env.WORKERS_AI_BASE_URL,
    })
    providers['workers-ai'] = workersAiProvider({ ai, imageGuard: env })
  } else if (env.DEFAULT_PROVIDER === 'workers-ai' && env.AI) {
    providers['workers-ai'] = workersAiProvider({ ai: env.AI, imageGuard: env })
  }
  return providers
}
