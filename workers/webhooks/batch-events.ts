// The batch lifecycle as events: created, progress (at most every PROGRESS_EVENT_MS per batch),
// the end (completed / failed / cancelled), and tasks whose output needs review — one event per
// chunk report listing its tasks, not one per task. Payloads carry ids and counts only.
import { emitEvent } from './events'

export const PROGRESS_EVENT_MS = 10_000
const PROGRESS_KEY = 'webhooks.progress_event_at'
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
  batch: BatchFacts & { error?: { code: string; message: string } | null },
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

type ReportedResult = { seq: number; status: string; violations?: string[] }

/**
 * After a chunk report is recorded: a `task.needs_review` event for the chunk's flagged tasks,
 * and a `batch.progress` event when the last one is older than PROGRESS_EVENT_MS.
 */
export async function emitChunkEvents(
  env: Pick<Env, 'WEBHOOKS'>,
  storage: DurableObjectStorage,
  batch: BatchFacts,
  results: readonly ReportedResult[],
  counts: Counts,
): Promise<void> {
  const flagged = results.filter((result) => result.status === 'needs_review')
  if (flagged.length) {
    // Results carry only seq; the batch object's own task table knows each custom_id.
    const customIds = new Map(
      storage.sql
        .exec<{ seq: number; custom_id: string }>(
          'SELECT seq, custom_id FROM tasks WHERE seq IN (SELECT value FROM json_each(?))',
          JSON.stringify(flagged.map((result) => result.seq)),
        )
        .toArray()
        .map((row) => [row.seq, row.custom_id]),
    )
    await emitEvent(env, batch.tenantId, {
      type: 'task.needs_review',
      data: {
        batch_id: batch.batchId,
        task: batch.task,
        tasks: flagged.map((result) => ({
          custom_id: customIds.get(result.seq) ?? null,
          violations: (result.violations ?? [])
            .slice(0, MAX_VIOLATIONS_PER_TASK)
            .map((violation) => violation.slice(0, MAX_VIOLATION_CHARS)),
        })),
      },
    })
  }

  const now = Date.now()
  if (now - (storage.kv.get<number>(PROGRESS_KEY) ?? 0) < PROGRESS_EVENT_MS) return
  storage.kv.put(PROGRESS_KEY, now)
  await emitEvent(env, batch.tenantId, {
    type: 'batch.progress',
    data: {
      batch_id: batch.batchId,
      task: batch.task,
      status: batch.status,
      request_counts: requestCounts(counts),
    },
  })
}
