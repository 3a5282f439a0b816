// Mirrors a batch's status and counts into its D1 row, which lists and dashboards read.
import { type BatchStatus, isFinished } from '../../shared/db/schema'
import type { BatchSummary } from '../batch-coordinator'
import type { BatchState } from './state'

export function finalStatus(state: BatchState): BatchStatus {
  if (state.cancelRequested) return 'cancelled'
  if (state.error || state.ingested === state.invalid) return 'failed'
  return 'completed'
}

export async function flushToD1(db: D1Database, state: BatchState, counts: BatchSummary): Promise<void> {
  await db
    .prepare(
      `UPDATE batches SET status = ?, total = ?, completed = ?, failed = ?, needs_review = ?, cache_hits = ?,
         cost_usd = ?, usage = ?, error = ?, results_key = ?,
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
      JSON.stringify(state.usage),
      state.error ? JSON.stringify(state.error) : null,
      state.resultsKey,
      Math.floor(state.startedAt / 1000),
      isFinished(state.status) ? Math.floor(Date.now() / 1000) : null,
      state.batchId,
      state.tenantId,
    )
    .run()
}
