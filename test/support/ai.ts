// Helpers for AI-layer tests: a tenant whose provider keys point at the local protocol servers.
import { callJson } from './api'
import { baseUrl } from './protocol-servers/script'

/** Stores the tenant's own key for a provider, pointing at its protocol server. */
export async function useProviderKey(token: string, provider: 'openai' | 'anthropic', apiKey: string) {
  await callJson(`/v1/provider-keys/${provider}`, 200, {
    method: 'PUT',
    token,
    json: { api_key: apiKey, base_url: baseUrl(provider) },
  })
}

export async function setRoute(token: string, task: string, targets: { provider: string; model: string }[]) {
  await callJson(`/v1/routes/${task}`, 200, { method: 'PUT', token, json: { targets } })
}

export function seoAnswer(title: string, description = `All about ${title}.`) {
  return JSON.stringify({ title, description })
}
