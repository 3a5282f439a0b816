// What a batch has counted: one type for the running totals and for what one step adds to them,
// so every change is `addTally(total, step)` rather than a hand-kept update per counter.
import type { Usage } from '../../shared/db/schema'

export type Tally = {
  /** Tasks with an output (succeeded or needs_review). */
  completed: number
  failed: number
  needsReview: number
  /** Failed for their input when read or run; never rerun. */
  invalid: number
  cacheHits: number
  costUsd: number
  usage: Usage
}

export function emptyTally(): Tally {
  return {
    completed: 0,
    failed: 0,
    needsReview: 0,
    invalid: 0,
    cacheHits: 0,
    costUsd: 0,
    usage: { input_tokens: 0, output_tokens: 0 },
  }
}

export function addTally(total: Tally, step: Partial<Tally>): void {
  total.completed += step.completed ?? 0
  total.failed += step.failed ?? 0
  total.needsReview += step.needsReview ?? 0
  total.invalid += step.invalid ?? 0
  total.cacheHits += step.cacheHits ?? 0
  total.costUsd += step.costUsd ?? 0
  total.usage.input_tokens += step.usage?.input_tokens ?? 0
  total.usage.output_tokens += step.usage?.output_tokens ?? 0
}

/** Tasks with a result, of either kind. */
export function finished(tally: Tally): number {
  return tally.completed + tally.failed
}
