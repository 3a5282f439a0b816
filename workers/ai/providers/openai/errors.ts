// OpenAI error bodies: `{ error: { message, type, param, code } }`. The message is logged, never
// shown to callers (see provider-detail.ts).

export function errorMessage(body: unknown): string | undefined {
  const error = (body as { error?: { message?: unknown } } | null)?.error
  return typeof error?.message === 'string' ? error.message : undefined
}
