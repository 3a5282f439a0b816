// The Workers AI REST API behind the binding's `run` contract. The `AI` binding only works
// against Cloudflare, so local development with an account (and the tests, against a local
// server speaking this API) call `/accounts/{account}/ai/run/{model}` instead. Failures throw
// Errors shaped like the binding's: message `"<code>: <message>"`, plus `status` and `retryAfterMs`.
import { parseRetryAfter } from '../http-errors'
import { redactSecrets } from '../provider-detail'
import type { AiRunner } from './api'

export type AiOverRestOptions = { baseUrl?: string; accountId: string; apiToken: string }

/** Thrown by `aiOverRest`, named as the binding names its errors. */
export class InferenceUpstreamError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'InferenceUpstreamError'
  }
}

type Envelope = {
  result?: unknown
  success?: boolean
  errors?: { code?: number; message?: string }[]
}

/**
 * @example
 * const provider = workersAiProvider({
 *   ai: aiOverRest({ accountId: env.CF_ACCOUNT_ID, apiToken: env.CF_API_TOKEN }),
 * })
 */
export function aiOverRest({
  baseUrl = 'https://api.cloudflare.com/client/v4',
  accountId,
  apiToken,
}: AiOverRestOptions): AiRunner {
  const root = baseUrl.replace(/\/+$/, '')
  return {
    async run(model, inputs, options = {}) {
      const response = await fetch(`${root}/accounts/${accountId}/ai/run/${model}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(inputs),
        signal: options.signal,
      })
      const text = await response.text()
      let envelope: Envelope | undefined
      try {
        envelope = JSON.parse(text) as Envelope
      } catch {
        envelope = undefined
      }
      if (response.ok && envelope?.success === true) return envelope.result
      // A 200 that is not a successful envelope keeps its status: the provider reads it as a bad response.
      const first = envelope?.errors?.[0]
      const said = (first?.message ?? (text.slice(0, 300) || response.statusText)).replace(
        /^(AiError: )+/,
        '',
      )
      const message = redactSecrets(said, [apiToken])
      throw new InferenceUpstreamError(
        `${first?.code ?? response.status}: ${message}`,
        response.status,
        first?.code,
        parseRetryAfter(response.headers),
      )
    },
  }
}
