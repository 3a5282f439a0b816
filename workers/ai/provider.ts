// The seam between the pipeline and model providers: a normalised model call in, a normalised
// output with the provider's own token usage out, or a typed error that says whether trying
// again may help. Providers know nothing of tasks; tasks know nothing of providers.

import type { Usage } from '../../shared/db/schema'
import type { ProviderErrorCode } from '../../shared/error-codes'
import type { ModelCall, ProviderOutput } from '../../shared/tasks/model-call'

export type { ModelCall, ProviderOutput } from '../../shared/tasks/model-call'

export type ProviderRequest = {
  call: ModelCall
  model: string
  signal: AbortSignal
  /** Stable per task, so deterministic providers give each row its own output. */
  seed: number
  /** 1 on the first try of a task, counting up on each retry or redelivery. */
  attempt: number
  /** What a model would answer to this call; only the simulated provider uses it. */
  simulate: () => ProviderOutput
}

export type ProviderResult = {
  output: ProviderOutput
  /** Token usage as the provider reported it (estimated only where it reports none). */
  usage: Usage
  provider: string
  model: string
}

export type Provider = {
  slug: string
  /** The kinds of model call this provider can make. */
  supports: readonly ModelCall['kind'][]
  generate: (request: ProviderRequest) => Promise<ProviderResult>
}

/**
 * Stable codes: `rate_limited` (429), `provider_unavailable` (5xx, network), `timeout`,
 * `provider_auth` (401/403), `invalid_request` (other 4xx), `bad_response` (unparseable answer),
 * `content_filtered`, `not_configured`, `provider_key_deleted`, `unsupported`. Messages are ours
 * (e.g. "openai answered 400 (invalid_request)."), never text the provider sent.
 */
export class ProviderError extends Error {
  /**
   * The provider's own words (its error body, a refusal), redacted and clipped: for the log and
   * for tests only. Callers get `code` and `message`, which are always ours.
   */
  detail?: string

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'ProviderError'
  }
}

/** A rough token count for providers that report none: about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}
