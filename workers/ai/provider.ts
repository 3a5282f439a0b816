// The seam between the pipeline and model providers: a normalised request in, a normalised
// result or a typed error that says whether trying again may help.
import type { Usage } from '../../shared/db/schema'
import type { ChatMessage, TaskDefinition } from '../../shared/tasks/types'

export type ProviderRequest = {
  task: TaskDefinition
  input: unknown
  params: unknown
  model?: string | null
  messages: ChatMessage[]
  /** Stable per task, so deterministic providers give each row its own output. */
  seed: number
  /** 1 on the first try of a task, counting up on each redelivery. */
  attempt: number
  signal: AbortSignal
}

export type ProviderResult = { output: unknown; usage: Usage; provider: string; model: string }

export type Provider = { slug: string; generate: (request: ProviderRequest) => Promise<ProviderResult> }

export class ProviderError extends Error {
  constructor(
    readonly code: string,
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
