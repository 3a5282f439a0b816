// Mirrors a batch's status and counts into its D1 row, which lists and dashboards read.

import { type BatchStatus, isFinished } from '../../shared/db/schema'
import { addTenantUsage } from '../../shared/db/tenant-usage'
import type { BatchError } from '../../shared/error-codes'
import type { BatchState, BatchSummary } from './state'

export function finalStatus(state: BatchState): BatchStatus {
  if (state.cancelRequested) return 'cancelled'
  if (state.error || state.ingested === state.tally.invalid || state.tally.failed === state.ingested)
    return 'failed'
  return 'completed'
}

/** Why a batch that ran nothing failed, when no step recorded a reason. */
export function batchFailure(state: BatchState): BatchError {
  if (state.ingested === 0) return { code: 'empty_input', message: 'The batch has no rows.' }
  if (state.ingested === state.tally.invalid)
    return {
      code: 'no_valid_rows',
      message: `None of the ${state.ingested} rows is valid; see the batch errors for each row's reason.`,
    }
  return {
    code: 'all_tasks_failed',
    message: `All ${state.ingested} tasks failed; see the batch errors for each task's reason.`,
  }
}

/**
 * Adds what the batch used since it was last billed to the tenant's monthly totals; returns the
 * new billed mark (a retried batch adds only the difference).
 */
export async function billTenant(
  db: D1Database,
  state: BatchState,
): Promise<NonNullable<BatchState['billed']>> {
  const before = state.billed ?? {
    tasks: 0,
    usage: { input_tokens: 0, output_tokens: 0 },
    costUsd: 0,
    cacheHits: 0,
  }
  const { completed, usage, costUsd, cacheHits } = state.tally
  const now = { tasks: completed, usage: { ...usage }, costUsd, cacheHits }
  await addTenantUsage(db, state.tenantId, {
    tasks: now.tasks - before.tasks,
    inputTokens: now.usage.input_tokens - before.usage.input_tokens,
    outputTokens: now.usage.output_tokens - before.usage.output_tokens,
    costUsd: now.costUsd - before.costUsd,
    cacheHits: now.cacheHits - before.cacheHits,
  })
  return now
}

export async function flushToD1(db: D1Database, state: BatchState, counts: BatchSummary): Promise<void> {
  await db
    .prepare(
      `UPDATE batches SET status = ?, total = ?, completed = ?, failed = ?, needs_review = ?, cache_hits = ?,
         cost_usd = ?, usage = ?, error = ?,
         started_at = coalesce(started_at, ?), finished_at = ?
       WHERE id = ? AND tenant_id = ?`,
    )
    .bind(
      state.status,
      counts.total,
      counts.completed,
      counts.failed,
      counts.needsReview,
      counts.cacheHits,
      counts.costUsd,
      JSON.stringify(counts.usage),
      state.error ? JSON.stringify(state.error) : null,
      Math.floor(state.startedAt / 1000),
      isFinished(state.status) ? (state.finishedAt ?? Math.floor(Date.now() / 1000)) : null,
      state.batchId,
      state.tenantId,
    )
    .run()
}
