// An OpenAI-compatible provider: chat completions (with JSON schema output) and embeddings.
import type { UrlGuardEnv } from '../../../../shared/net/url-guard'
import { type Provider, ProviderError } from '../../provider'
import { postJson } from '../http-errors'
import { CHAT_PATH, EMBEDDINGS_PATH, endpoint, headers, type OpenAIConfig } from './api'
import { chatRequest, chatResult } from './chat'
import { embedRequest, embedResult } from './embed'
import { errorMessage } from './errors'

export type OpenAIProviderOptions = {
  baseUrl?: string
  apiKey?: string
  slug?: string
  /** Set when the base URL is a tenant's: calls then go through the URL guard. */
  guard?: UrlGuardEnv
}

/**
 * @example
 * openaiProvider({ apiKey: env.OPENAI_API_KEY })
 * openaiProvider({ baseUrl: 'http://localhost:11434/v1', slug: 'ollama' })
 */
export function openaiProvider({
  baseUrl = 'https://api.openai.com/v1',
  apiKey,
  slug = 'openai',
  guard,
}: OpenAIProviderOptions = {}): Provider {
  const config: OpenAIConfig = { baseUrl, apiKey }
  const post = (path: string, body: unknown, signal: AbortSignal) =>
    postJson({
      url: endpoint(config, path),
      headers: headers(config),
      body,
      signal,
      provider: slug,
      errorMessage,
      guard,
    })

  return {
    slug,
    supports: ['chat', 'embed'],
    async generate({ call, model, signal }) {
      if (call.kind === 'chat') {
        const result = chatResult(await post(CHAT_PATH, chatRequest(call, model), signal), slug)
        return { ...result, provider: slug }
      }
      if (call.kind === 'embed') {
        const body = await post(EMBEDDINGS_PATH, embedRequest(call.texts, model), signal)
        return { ...embedResult(body, slug, call.texts.length), provider: slug }
      }
      throw new ProviderError('unsupported', `${slug} cannot run ${call.kind} calls.`, false)
    },
  }
}
