// Test-side client of the protocol servers (runs in workerd): queue scripted answers for a key and
// read back the requests a key received. Give every test its own key (`uniqueKey`): test files run
// in parallel against the same servers.
//
// @example
//   const key = uniqueKey('openai')
//   await script('openai', key, [{ status: 429, headers: { 'retry-after': '1' } }, { content: 'Hi' }])
//   const provider = openaiProvider({ baseUrl: baseUrl('openai'), apiKey: key })
//   …
//   const [first] = await receivedRequests('openai', key)
import { inject } from 'vitest'
import type { RecordedRequest, ScriptedResponse } from './scripting'

export type { RecordedRequest, ScriptedResponse } from './scripting'

export type ProtocolServer = 'openai' | 'anthropic' | 'workersAi'

/** The base URL a provider is configured with (`…/v1`, the origin, `…/client/v4`). */
export function baseUrl(server: ProtocolServer): string {
  if (server === 'openai') return inject('openaiBaseUrl')
  if (server === 'anthropic') return inject('anthropicBaseUrl')
  return inject('workersAiBaseUrl')
}

/** The server's origin, e.g. for fixture images at `${origin('workersAi')}/__fixtures/pixel.png`. */
export function origin(server: ProtocolServer): string {
  return new URL(baseUrl(server)).origin
}

/** Appends answers to the queue of `key` (an API key or a model name). */
export async function script(
  server: ProtocolServer,
  key: string,
  responses: ScriptedResponse[],
): Promise<void> {
  const response = await fetch(`${origin(server)}/__script`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, responses }),
  })
  if (response.status !== 204) throw new Error(`Scripting ${server} failed: ${response.status}`)
}

/** The requests `key` received, oldest first. */
export async function receivedRequests(server: ProtocolServer, key: string): Promise<RecordedRequest[]> {
  const response = await fetch(`${origin(server)}/__requests?key=${encodeURIComponent(key)}`)
  return (await response.json()) as RecordedRequest[]
}

let counter = 0
/** A key no other test uses. Keys starting with `bad` are rejected as invalid by every server. */
export function uniqueKey(label = 'key'): string {
  return `${label}-${Date.now().toString(36)}-${++counter}-${Math.random().toString(36).slice(2, 8)}`
}
