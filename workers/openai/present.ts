// Our batches and files in OpenAI's object shapes. A batch's output and error files are not
// stored objects: their ids name the batch (`file-out-<batch id>`, `file-err-<batch id>`) and their
// content is made from the batch's results when it is downloaded.

import type { presentBatch } from '../../durable-objects/batch/present'
import { type FileRow, isFinished } from '../../shared/db/schema'
import { CHAT_URL, EMBEDDINGS_URL, type OpenAIEndpoint } from '../../shared/schemas/openai'

type Batch = ReturnType<typeof presentBatch>

export const TASK_BY_ENDPOINT: Record<OpenAIEndpoint, string> = {
  [CHAT_URL]: 'openai_chat',
  [EMBEDDINGS_URL]: 'openai_embedding',
}

const ENDPOINT_BY_TASK: Record<string, OpenAIEndpoint> = {
  openai_chat: CHAT_URL,
  openai_embedding: EMBEDDINGS_URL,
}

/** The tasks of batches made on this surface; other batches of the tenant are not shown here. */
export const OPENAI_TASKS = Object.keys(ENDPOINT_BY_TASK)

export type ResultFileKind = 'out' | 'err'

export const resultFileId = (kind: ResultFileKind, batchId: string) => `file-${kind}-${batchId}`

/** The batch a result file id names, or null for an uploaded file's id. */
export function parseResultFileId(id: string): { kind: ResultFileKind; batchId: string } | null {
  const match = /^file-(out|err)-(bat_[0-9a-z]+)$/.exec(id)
  return match ? { kind: match[1] as ResultFileKind, batchId: match[2]! } : null
}

export function presentFile(file: FileRow) {
  return {
    id: file.id,
    object: 'file' as const,
    bytes: file.bytes,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: 'batch' as const,
    status: 'processed' as const,
  }
}

export const resultFileName = (kind: ResultFileKind, batchId: string) =>
  `${batchId}_${kind === 'out' ? 'output' : 'error'}.jsonl`

export function presentResultFile(kind: ResultFileKind, batch: { id: string; finished_at: number | null }) {
  return {
    id: resultFileId(kind, batch.id),
    object: 'file' as const,
    // Made on download, so its size is not known beforehand.
    bytes: null,
    created_at: batch.finished_at ?? 0,
    filename: resultFileName(kind, batch.id),
    purpose: 'batch_output' as const,
    status: 'processed' as const,
  }
}

/** Our statuses are OpenAI's, but for `paused`, which OpenAI does not have. */
function openaiStatus(status: Batch['status']) {
  return status === 'paused' ? 'in_progress' : status
}

/**
 * We record when a batch was created, started and finished; OpenAI's other moments are that
 * finish time for the status the batch ended in.
 */
export function presentOpenAIBatch(batch: Batch) {
  const status = openaiStatus(batch.status)
  const finished = isFinished(batch.status)
  const at = (...statuses: string[]) => (statuses.includes(status) ? batch.finished_at : null)
  const counts = batch.request_counts
  return {
    id: batch.id,
    object: 'batch' as const,
    endpoint: ENDPOINT_BY_TASK[batch.task]!,
    model: batch.model,
    errors: batch.error
      ? { object: 'list' as const, data: [{ ...batch.error, param: null, line: null }] }
      : null,
    input_file_id: batch.input_file_id,
    completion_window: '24h' as const,
    status,
    output_file_id: finished && counts.completed > 0 ? resultFileId('out', batch.id) : null,
    error_file_id: finished && counts.failed > 0 ? resultFileId('err', batch.id) : null,
    created_at: batch.created_at,
    in_progress_at: status === 'validating' ? null : (batch.started_at ?? batch.created_at),
    expires_at: batch.created_at + 24 * 60 * 60,
    finalizing_at: at('completed'),
    completed_at: at('completed'),
    failed_at: at('failed'),
    expired_at: at('expired'),
    cancelling_at: at('cancelled'),
    cancelled_at: at('cancelled'),
    request_counts: { total: counts.total, completed: counts.completed, failed: counts.failed },
    usage: { ...batch.usage, total_tokens: batch.usage.input_tokens + batch.usage.output_tokens },
    metadata: batch.metadata,
  }
}
