// A batch object's durable state: the spec it was started with and its running counters,
// one JSON value in the object's key-value store, written after every change.
import type { BatchRow, BatchStatus, DataFormat, Usage } from '../../shared/db/schema'
import type { RunSettings } from '../../shared/pipeline/messages'
import { SLICE_BYTES } from './ingest'

export const TASK_STATE = { pending: 0, dispatched: 1, succeeded: 2, failed: 3 } as const

export type FileSource = {
  kind: 'file'
  key: string
  format: DataFormat
  mapping: Record<string, string> | null
  /** Next byte of the file to ingest; rows before it are tasks already. */
  offset: number
  size: number | null
  header: string[] | null
  sliceBytes: number
  /** Set while reading past a record over the limit: the state `skipRecord` goes on from. */
  skip?: number | null
}

export type BatchSpec = {
  tenantId: string
  batchId: string
  task: string
  params: Record<string, unknown>
  settings: RunSettings
  /** Rows expected: inline items, or the records counted when the file was uploaded. */
  expected: number
}

export type BatchState = BatchSpec & {
  /** The D1 row as created: with the live counters it presents the batch without a D1 read. */
  row?: BatchRow
  /** Seconds; set when the batch reaches a finished status. */
  finishedAt?: number | null
  status: BatchStatus
  source: FileSource | { kind: 'inline' }
  ingestDone: boolean
  /** Task rows written so far (valid or not); the next task's seq is ingested + 1. */
  ingested: number
  /** Rows that failed validation when ingested (never run). */
  invalid: number
  /** Tasks with an output (succeeded or needs_review). */
  completed: number
  failed: number
  needsReview: number
  cacheHits: number
  costUsd: number
  /** Usage already added to the tenant's monthly totals (a retried batch adds only the rest). */
  billed?: { tasks: number; usage: Usage; costUsd: number; cacheHits: number }
  /** Tasks in state dispatched. */
  inflight: number
  nextChunk: number
  usage: Usage
  error: { code: string; message: string } | null
  cancelRequested: boolean
  /** Consecutive alarm steps that failed unexpectedly. */
  alarmFailures?: number
  startedAt: number
  lastFlushAt: number
  resultsKey: string | null
}

/** What a caller sees of a batch: its counters, with the total known so far. */
export type BatchSummary = Pick<
  BatchState,
  | 'status'
  | 'completed'
  | 'failed'
  | 'needsReview'
  | 'cacheHits'
  | 'costUsd'
  | 'usage'
  | 'error'
  | 'resultsKey'
> & {
  total: number
  inflight: number
}

export function summarize(state: BatchState): BatchSummary {
  const { status, completed, failed, needsReview, cacheHits, costUsd, usage, error, resultsKey } = state
  const { inflight, ingestDone, ingested, expected } = state
  return {
    status,
    completed,
    failed,
    needsReview,
    cacheHits,
    costUsd,
    usage,
    error,
    resultsKey,
    inflight,
    total: ingestDone ? ingested : Math.max(expected, ingested),
  }
}

export function pendingTasks(state: BatchState): number {
  return state.ingested - state.completed - state.failed - state.inflight
}

export function allTerminal(state: BatchState): boolean {
  return state.ingestDone && state.completed + state.failed === state.ingested
}

// Result lines (~1 KB each) live in their own table: appended in about seq order, they cost a
// B-tree append, where growing every task row in place split the tasks table's pages.
// Partial indexes hold only the rows a hot query looks for (pending tasks to dispatch, dispatched
// tasks by chunk, failed tasks for the errors listing), so they stay small and a task that succeeds
// costs no index entry for its final state. Queries name the state with `=`: SQLite uses a partial
// index only when the query's WHERE implies the index's.
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  seq INTEGER PRIMARY KEY,
  custom_id TEXT NOT NULL,
  input TEXT,
  state INTEGER NOT NULL,
  chunk INTEGER,
  error TEXT,
  rerunnable INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS result_lines (
  seq INTEGER PRIMARY KEY,
  line TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_pending ON tasks (seq) WHERE state = ${TASK_STATE.pending};
CREATE INDEX IF NOT EXISTS tasks_dispatched ON tasks (chunk) WHERE state = ${TASK_STATE.dispatched};
CREATE INDEX IF NOT EXISTS tasks_failed ON tasks (seq) WHERE state = ${TASK_STATE.failed};
CREATE INDEX IF NOT EXISTS tasks_custom_id ON tasks (custom_id);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  open INTEGER NOT NULL,
  dispatched_at INTEGER NOT NULL
);
`

export type StartInput = BatchSpec & { row?: BatchRow } & (
    | { source: 'inline'; items: { custom_id: string; input: Record<string, unknown> }[] }
    | { source: 'file'; key: string; format: 'csv' | 'jsonl'; mapping: Record<string, string> | null }
  )

/** A new batch's state: nothing ingested, counted or dispatched yet. */
export function initialState(input: StartInput): BatchState {
  const { source, tenantId, batchId, task, params, settings, expected, row } = input
  return {
    tenantId,
    batchId,
    task,
    params,
    settings,
    expected,
    row,
    finishedAt: null,
    status: 'validating',
    source:
      input.source === 'file'
        ? {
            kind: 'file',
            key: input.key,
            format: input.format,
            mapping: input.mapping,
            offset: 0,
            size: null,
            header: null,
            sliceBytes: SLICE_BYTES,
          }
        : { kind: 'inline' },
    ingestDone: source === 'inline',
    ingested: 0,
    invalid: 0,
    completed: 0,
    failed: 0,
    needsReview: 0,
    cacheHits: 0,
    costUsd: 0,
    inflight: 0,
    nextChunk: 1,
    usage: { input_tokens: 0, output_tokens: 0 },
    error: null,
    cancelRequested: false,
    startedAt: Date.now(),
    lastFlushAt: 0,
    resultsKey: null,
  }
}
