import type { BatchRow } from '../../shared/db/schema'
import type { BatchSummary } from './state'

/** The API's batch object; `live` (from the batch's coordinator) overrides D1's periodic copy. */
export function presentBatch(row: BatchRow, live?: BatchSummary) {
  return {
    id: row.id,
    object: 'batch' as const,
    status: live?.status ?? row.status,
    task: row.task,
    model: row.model,
    params: row.params,
    metadata: row.metadata,
    input_file_id: row.inputFileId,
    mapping: row.mapping,
    skip_blank: row.skipBlank ?? null,
    template: row.template,
    request_counts: {
      total: live?.total ?? row.total,
      completed: live?.completed ?? row.completed,
      failed: live?.failed ?? row.failed,
      needs_review: live?.needsReview ?? row.needsReview,
    },
    usage: live?.usage ?? row.usage ?? { input_tokens: 0, output_tokens: 0 },
    cost_usd: live?.costUsd ?? row.costUsd,
    cache_hits: live?.cacheHits ?? row.cacheHits,
    error: live?.error ?? row.error,
    created_at: row.createdAt,
    started_at: row.startedAt,
    finished_at: row.finishedAt,
  }
}

export type PresentedBatch = ReturnType<typeof presentBatch>
