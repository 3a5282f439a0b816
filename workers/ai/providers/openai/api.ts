// Where and how to reach an OpenAI-compatible API: OpenAI itself, or Ollama, vLLM, LM Studio,
// Groq and the like at their own base URL (a key is optional for local servers).

export type OpenAIConfig = { baseUrl: string; apiKey?: string }

export const CHAT_PATH = '/chat/completions'
export const EMBEDDINGS_PATH = '/embeddings'

export function endpoint(config: OpenAIConfig, path: string): string {
  return `${config.baseUrl.replace(/\/+$/, '')}${path}`
}

export function headers(config: OpenAIConfig): Record<string, string> {
  return config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}
}
