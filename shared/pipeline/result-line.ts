// A task's line in the batch's results: built once by the consumer that ran the task and written
// to its chunk's part in R2, which the results file is assembled from as it is.
import type { Usage } from '../db/schema'
import { TASK_STATE } from './chunks'
import type { TaskError, TaskResult } from './messages'

export type ResultStatus = 'succeeded' | 'needs_review' | 'failed'

export type ResultLine = {
  custom_id: string
  status: ResultStatus
  output?: unknown
  violations?: string[]
  error?: TaskError
  usage?: Usage
  cost_usd?: number
  cached?: boolean
  provider?: string
  model?: string
}

export function failedLine(customId: string, error: TaskError): ResultLine {
  return { custom_id: customId, status: 'failed', error }
}

export function resultLine(customId: string, result: TaskResult): ResultLine {
  if (result.status === 'failed') return failedLine(customId, result.error)
  return {
    custom_id: customId,
    status: result.status,
    output: result.output,
    ...(result.status === 'needs_review' && { violations: result.violations }),
    usage: result.usage,
    cost_usd: result.cost_usd,
    cached: result.cached,
    provider: result.provider,
    model: result.model,
  }
}

/** A finished task as its chunk's report and part carry it: its final state, its line and its figures. */
export function reportEntry(result: TaskResult, customId: string, options: { invalid?: boolean } = {}) {
  const state =
    result.status === 'failed'
      ? options.invalid
        ? TASK_STATE.invalid
        : TASK_STATE.failed
      : result.status === 'needs_review'
        ? TASK_STATE.needsReview
        : TASK_STATE.succeeded
  return {
    state,
    line: JSON.stringify(resultLine(customId, result)),
    usage: result.usage ?? { input_tokens: 0, output_tokens: 0 },
    costUsd: result.cost_usd ?? 0,
    cached: result.status !== 'failed' && result.cached,
    flagged: result.status === 'needs_review' ? { customId, violations: result.violations } : null,
  }
}
