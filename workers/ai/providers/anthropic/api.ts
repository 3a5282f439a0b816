// Where and how to reach the Anthropic Messages API.

export type AnthropicConfig = { baseUrl: string; apiKey: string }

export const MESSAGES_PATH = '/v1/messages'
export const ANTHROPIC_VERSION = '2023-06-01'
/** The Messages API requires `max_tokens`; used when the call sets none. */
export const DEFAULT_MAX_TOKENS = 1024

export function endpoint(config: AnthropicConfig, path: string): string {
  return `${config.baseUrl.replace(/\/+$/, '')}${path}`
}

export function headers(config: AnthropicConfig): Record<string, string> {
  return { 'x-api-key': config.apiKey, 'anthropic-version': ANTHROPIC_VERSION }
}
