// The provider's own words about a failure (its error body, a refusal) are not for callers: a body
// may carry internal ids, echoed input or an echoed key. They are kept on the error as `detail`
// and written to one JSON log line, with the credentials of the call redacted.
import type { ProviderError } from '../provider'

/** Characters of a provider's words that are kept; the rest is cut. */
export const MAX_DETAIL_CHARS = 500

const CREDENTIAL_HEADER = /authorization|api-key|token/i
const REDACTED = '[redacted]'

/** The secrets among a call's headers, bare and as sent (`Bearer …`). */
export function credentialsIn(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => CREDENTIAL_HEADER.test(name))
    .flatMap(([, value]) => [value, value.replace(/^Bearer\s+/i, '')])
}

/** The text with each secret (8 characters or more) and anything shaped like an API key replaced. */
export function redactSecrets(text: string, secrets: string[]): string {
  let clean = text
  // Longest first, so `Bearer k` goes whole rather than leaving `Bearer `.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    if (secret.length >= 8) clean = clean.replaceAll(secret, REDACTED)
  return clean.replace(/\b(sk|sk-ant|sk-proj)-[\w-]{8,}/g, REDACTED)
}

/**
 * Attaches the provider's words to the error and logs them once; the error's message is untouched.
 *
 * @example
 * throw withDetail(statusError(400, 'openai answered 400 (invalid_request).'), {
 *   provider: 'openai', detail: text, secrets: credentialsIn(headers),
 * })
 */
export function withDetail(
  error: ProviderError,
  options: { provider: string; detail?: string; secrets?: string[] },
): ProviderError {
  const text = options.detail?.trim()
  if (!text) return error
  error.detail = redactSecrets(text, options.secrets ?? []).slice(0, MAX_DETAIL_CHARS)
  console.warn(
    JSON.stringify({
      level: 'warn',
      event: 'provider.error',
      provider: options.provider,
      code: error.code,
      status: error.status ?? null,
      detail: error.detail,
    }),
  )
  return error
}
