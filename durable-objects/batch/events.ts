// The batch lifecycle as events: created, progress (at most every PROGRESS_EVENT_MS per batch),
// the end (completed / failed / cancelled), and tasks whose output needs review — one event per
// chunk report listing its tasks, not one per task. Payloads carry ids and counts only.
import type { BatchError } from '../../shared/error-codes'
import { emitEvent } from '../../shared/webhooks/events'

export const PROGRESS_EVENT_MS = 10_000
const MAX_VIOLATIONS_PER_TASK = 5
const MAX_VIOLATION_CHARS = 300

type BatchFacts = { tenantId: string; batchId: string; task: string; status: string }
type Counts = { total: number; completed: number; failed: number; needsReview?: number }

function requestCounts(counts: Counts) {
  return {
    total: counts.total,
    completed: counts.completed,
    failed: counts.failed,
    needs_review: counts.needsReview ?? 0,
  }
}

export function emitBatchCreated(env: Pick<Env, 'WEBHOOKS'>, batch: BatchFacts & { total: number }) {
  return emitEvent(env, batch.tenantId, {
    type: 'batch.created',
    data: {
      batch_id: batch.batchId,
      task: batch.task,
      status: batch.status,
      request_counts: { total: batch.total },
    },
  })
}

/** Called once the batch's final status is written; anything but failed or cancelled is completed. */
export function emitBatchFinished(
  env: Pick<Env, 'WEBHOOKS'>,
  batch: BatchFacts & { error?: BatchError | null },
  counts: Counts,
) {
  const type =
    batch.status === 'failed'
      ? 'batch.failed'
      : batch.status === 'cancelled'
        ? 'batch.cancelled'
        : 'batch.completed'
  return emitEvent(env, batch.tenantId, {
    type,
    data: {
      batch_id: batch.batchId,
      task: batch.task,
      status: batch.status,
      request_counts: requestCounts(counts),
      ...(batch.error ? { error: batch.error } : {}),
    },
  })
}

/** A task of a chunk report whose output needs review, named as the consumer reported it. */
export type FlaggedTask = { customId: string; violations: string[] }

/** A `task.needs_review` event listing one chunk report's flagged tasks. */
export async function emitNeedsReview(
  env: Pick<Env, 'WEBHOOKS'>,
  batch: BatchFacts,
  flagged: readonly FlaggedTask[],
): Promise<void> {
  if (!flagged.length) return
  await emitEvent(env, batch.tenantId, {
    type: 'task.needs_review',
    data: {
      batch_id: batch.batchId,
      task: batch.task,
      tasks: flagged.map((task) => ({
        custom_id: task.customId,
        violations: task.violations
          .slice(0, MAX_VIOLATIONS_PER_TASK)
          .map((violation) => violation.slice(0, MAX_VIOLATION_CHARS)),
      })),
    },
  })
}

/** A `batch.progress` event; the batch object sends one at most every PROGRESS_EVENT_MS. */
export function emitProgress(env: Pick<Env, 'WEBHOOKS'>, batch: BatchFacts, counts: Counts) {
  return emitEvent(env, batch.tenantId, {
    type: 'batch.progress',
    data: {
      batch_id: batch.batchId,
      task: batch.task,
      status: batch.status,
      request_counts: requestCounts(counts),
    },
  })
}
