// The Anthropic Messages API as a chat provider.
import type { UrlGuardEnv } from '../../../../shared/net/url-guard'
import { type Provider, ProviderError } from '../../provider'
import { postJson } from '../http-errors'
import { type AnthropicConfig, endpoint, headers, MESSAGES_PATH } from './api'
import { messagesRequest, messagesResult } from './chat'
import { errorMessage } from './errors'

export type AnthropicProviderOptions = {
  baseUrl?: string
  apiKey: string
  /** Set when the base URL is a tenant's: calls then go through the URL guard. */
  guard?: UrlGuardEnv
}

/** @example anthropicProvider({ apiKey: env.ANTHROPIC_API_KEY }) */
export function anthropicProvider({
  baseUrl = 'https://api.anthropic.com',
  apiKey,
  guard,
}: AnthropicProviderOptions): Provider {
  const config: AnthropicConfig = { baseUrl, apiKey }
  const slug = 'anthropic'
  return {
    slug,
    supports: ['chat'],
    async generate({ call, model, signal }) {
      if (call.kind !== 'chat') {
        throw new ProviderError('unsupported', `${slug} cannot run ${call.kind} calls.`, false)
      }
      const body = await postJson({
        url: endpoint(config, MESSAGES_PATH),
        headers: headers(config),
        body: messagesRequest(call, model),
        signal,
        provider: slug,
        errorMessage,
        guard,
      })
      return { ...messagesResult(body, slug, call.json), provider: slug }
    },
  }
}
