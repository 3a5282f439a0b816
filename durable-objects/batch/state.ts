// A batch object's durable state: the spec it was started with, where its input file is, and
// its running tally, one JSON value in the object's key-value store (see store.ts).
import { z } from 'zod'
import type { BatchRow, BatchStatus } from '../../shared/db/schema'
import type { BatchError } from '../../shared/error-codes'
import { DEFAULT_DIALECT, DELIMITERS, type Dialect } from '../../shared/ingest/dialect'
import type { Mapping } from '../../shared/ingest/rows'
import { runSettingsSchema } from '../../shared/pipeline/messages'
import { SLICE_BYTES } from './ingest'
import { emptyTally, finished, type Tally } from './tally'

/** What `start` is given; parsed, as every RPC input is. */
export const startInputSchema = z.object({
  tenantId: z.string().min(1),
  batchId: z.string().min(1),
  task: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  settings: runSettingsSchema,
  /** Rows expected: the records counted when the file was uploaded (or the inline items). */
  expected: z.number().int().nonnegative(),
  /** The D1 row as created: with the live tally it presents the batch without a D1 read. */
  row: z.looseObject({ id: z.string(), tenantId: z.string() }).optional(),
  input: z.object({
    key: z.string().min(1),
    format: z.enum(['csv', 'jsonl']),
    mapping: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullable(),
    dialect: z
      .object({ encoding: z.enum(['utf-8', 'windows-1252']), delimiter: z.enum(DELIMITERS) })
      .default(DEFAULT_DIALECT),
    skipBlank: z.array(z.string()).nullable().default(null),
  }),
})
/** What a caller passes to `start` (a file read with UTF-8 and commas may leave out its dialect). */
export type StartInput = Omit<z.input<typeof startInputSchema>, 'row'> & { row?: BatchRow }
/** The same, parsed. */
export type StartSpec = Omit<z.infer<typeof startInputSchema>, 'row'> & { row?: BatchRow }

export type FileSource = {
  key: string
  format: 'csv' | 'jsonl'
  mapping: Mapping | null
  dialect: Dialect
  /** Rows blank in any of these columns are not tasks (see withoutSkipped). */
  skipBlank: string[] | null
  /** Next byte of the file to ingest; rows before it are in chunks already. */
  offset: number
  size: number | null
  header: string[] | null
  sliceBytes: number
  /** Set while reading past a record over the limit: the state `skipRecord` goes on from. */
  skip?: number | null
}

export type BatchState = Omit<StartSpec, 'input'> & {
  /** Seconds; set when the batch reaches a finished status. */
  finishedAt: number | null
  status: BatchStatus
  source: FileSource
  ingestDone: boolean
  /** Tasks cut into chunks so far (valid or not); the next task's seq is ingested + 1. */
  ingested: number
  /** Tasks a chunk holds at most, fixed from the tenant's share when the batch starts ingesting. */
  chunkTasks: number | null
  nextChunk: number
  tally: Tally
  /** Open tasks of dispatched chunks. */
  inflight: number
  /** Usage already added to the tenant's monthly totals (a retried batch adds only the rest). */
  billed?: { tasks: number; usage: Tally['usage']; costUsd: number; cacheHits: number }
  error: BatchError | null
  cancelRequested: boolean
  /** Consecutive alarm steps that failed unexpectedly. */
  alarmFailures: number
  startedAt: number
  lastFlushAt: number
  progressEventAt: number
}

/** What a caller sees of a batch: its tally, with the total known so far. */
export type BatchSummary = {
  status: BatchStatus
  completed: number
  failed: number
  needsReview: number
  cacheHits: number
  costUsd: number
  usage: Tally['usage']
  error: BatchError | null
  total: number
  inflight: number
}

export function summarize(state: BatchState): BatchSummary {
  const { completed, failed, needsReview, cacheHits, costUsd, usage } = state.tally
  const { status, error, inflight, ingestDone, ingested, expected } = state
  return {
    status,
    completed,
    failed,
    needsReview,
    cacheHits,
    costUsd,
    usage: { ...usage },
    error,
    inflight,
    total: ingestDone ? ingested : Math.max(expected, ingested),
  }
}

export function pendingTasks(state: BatchState): number {
  return state.ingested - finished(state.tally) - state.inflight
}

export function allTerminal(state: BatchState): boolean {
  return state.ingestDone && finished(state.tally) === state.ingested
}

/** A new batch's state: nothing ingested, counted or dispatched yet. */
export function initialState(input: StartSpec, now: number): BatchState {
  const { input: file, ...spec } = input
  return {
    ...spec,
    finishedAt: null,
    status: 'validating',
    source: { ...file, offset: 0, size: null, header: null, sliceBytes: SLICE_BYTES },
    ingestDone: false,
    ingested: 0,
    chunkTasks: null,
    nextChunk: 1,
    tally: emptyTally(),
    inflight: 0,
    error: null,
    cancelRequested: false,
    alarmFailures: 0,
    startedAt: now,
    lastFlushAt: 0,
    progressEventAt: 0,
  }
}
