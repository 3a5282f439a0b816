// Anthropic error bodies: `{ type: 'error', error: { type, message } }`. Overload (529) is a 5xx,
// so the shared status mapper already makes it `provider_unavailable`. The message is logged, never
// shown to callers (see provider-detail.ts).

export function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error
  if (typeof error?.message !== 'string') return undefined
  return typeof error.type === 'string' ? `${error.type}: ${error.message}` : error.message
}
