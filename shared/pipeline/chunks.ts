// A batch's tasks travel and are stored in chunks: a run of consecutive rows of the input file
// (a byte range of its R2 object), their states one byte each, and the R2 objects ("parts") that
// hold their result lines. The batch object keeps only this; inputs stay in the uploaded file and
// lines in R2, so a batch's size is bounded by R2, not by the object's storage.
import type { DataFormat } from '../db/schema'
import type { Dialect } from '../ingest/dialect'
import type { Mapping } from '../ingest/rows'
import type { RunSettings, TaskError } from './messages'

/** A task's state in its chunk's `states` bytes. */
export const TASK_STATE = {
  open: 0,
  succeeded: 1,
  needsReview: 2,
  /** Failed in a way a retry may fix (provider errors, cancelled, dead-lettered). */
  failed: 3,
  /** Failed for its input (unreadable, invalid, duplicate custom_id): a retry would fail again. */
  invalid: 4,
} as const

export function isFailedState(state: number): boolean {
  return state === TASK_STATE.failed || state === TASK_STATE.invalid
}

/** Where a chunk's rows are: a byte range of the input file, read with the file's format and header. */
export type InputRange = {
  key: string
  format: DataFormat
  header: string[] | null
  mapping: Mapping | null
  dialect: Dialect
  skipBlank: string[] | null
  start: number
  end: number
  maxRecordBytes: number
}

/** A part: an R2 object of result lines, one per set bit of `written`, in seq order. */
export type PartView = {
  key: string
  /** Bit i: the part holds a line for the chunk's task i. */
  written: Uint8Array
  /** Bit i: that line is the task's result (cleared when a retry runs the task again). */
  live: Uint8Array
}

/** Everything needed to read a chunk's results: the batch object's answer, read from R2 by the caller. */
export type ChunkView = {
  id: number
  firstSeq: number
  states: Uint8Array
  input: InputRange
  parts: PartView[]
  /** Tasks that failed when ingested (unreadable row, bad or repeated custom_id): no part holds them. */
  ingestErrors: { seq: number; customId: string; error: TaskError }[]
  /** The error of failed tasks no part holds (cancelled, dead-lettered, the batch failed). */
  fallback: TaskError | null
}

/** A consumer's lease on a chunk: what to run and under which lease number to report it. */
export type ChunkLease = {
  chunkId: number
  dispatch: number
  /** Leases taken on the chunk so far, this one included: the attempt this delivery is. */
  lease: number
  task: string
  params: Record<string, unknown>
  settings: RunSettings
  input: InputRange
  firstSeq: number
  /** Seqs of the chunk's tasks without a result, ascending. */
  open: number[]
}

/** The seq of a chunk's last task. */
export function lastSeqOf(chunk: { firstSeq: number; states: Uint8Array }): number {
  return chunk.firstSeq + chunk.states.length - 1
}

export function bitIsSet(bits: Uint8Array, index: number): boolean {
  return (bits[index >> 3]! & (1 << (index & 7))) !== 0
}

export function setBit(bits: Uint8Array, index: number): void {
  bits[index >> 3]! |= 1 << (index & 7)
}

export function clearBit(bits: Uint8Array, index: number): void {
  bits[index >> 3]! &= ~(1 << (index & 7))
}

export function bitsFor(count: number): Uint8Array {
  return new Uint8Array((count + 7) >> 3)
}

/** The R2 key of the part a consumer writes under `lease`; tenant first, like every key. */
export function partKey(tenantId: string, batchId: string, chunkId: number, lease: number): string {
  return `${partsPrefix(tenantId, batchId)}${chunkId}-${lease}.jsonl`
}

export function partsPrefix(tenantId: string, batchId: string): string {
  return `results/${tenantId}/${batchId}/parts/`
}
