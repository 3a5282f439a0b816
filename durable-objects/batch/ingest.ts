// Reads an uploaded input file from R2 one slice at a time and cuts its rows into chunks: runs of
// consecutive rows, each a byte range of the file that consumers read again themselves. Rows are
// only named here (and refused when unreadable or their custom_id is bad or taken); their input is
// checked by the consumer that runs them. A read is never longer than SLICE_BYTES plus the record
// limit, however long a record of the file is.
import {
  customIdProblem,
  generatedName,
  mappedColumns,
  recordName,
  withoutSkipped,
} from '../../shared/ingest/rows'
import { parseSlice, skipRecord } from '../../shared/ingest/slice'
import { TASK_STATE } from '../../shared/pipeline/chunks'
import type { TaskError } from '../../shared/pipeline/messages'
import type { FileSource } from './state'
import type { BatchStore, NewChunk } from './store'

/** Bytes read per slice; doubled when one record does not fit, up to `maxSliceBytes`. */
export const SLICE_BYTES = 4 * 1024 * 1024
/** A chunk's byte range stays under this, so a consumer reads a bounded range. */
const CHUNK_MAX_BYTES = 4 * 1024 * 1024
export const CANCELLED_ERROR: TaskError = {
  code: 'cancelled',
  message: 'The batch was cancelled before this task ran.',
}

/** The longest read: a slice plus one record; at that length parseSlice always makes progress. */
export function maxSliceBytes(maxRecordBytes: number): number {
  return SLICE_BYTES + maxRecordBytes
}

export class IngestError extends Error {}

export type IngestOptions = {
  firstSeq: number
  firstChunk: number
  chunkTasks: number
  cancelled: boolean
  maxRecordBytes: number
}

export type IngestStep = { tasks: number; invalid: number; chunks: number; done: boolean }

async function readRange(bucket: R2Bucket, source: FileSource, length: number): Promise<Uint8Array> {
  const object = await bucket.get(source.key, { range: { offset: source.offset, length } })
  if (!object) throw new IngestError('The input file no longer exists.')
  return new Uint8Array(await object.arrayBuffer())
}

/** Reads on through a record over the limit (already failed as a task) to the start of the next one. */
async function skipOverlong(bucket: R2Bucket, source: FileSource, length: number): Promise<IngestStep> {
  const bytes = await readRange(bucket, source, length)
  const skipped = skipRecord(source.format, bytes, source.skip!, source.dialect)
  source.offset += skipped.end ?? bytes.length
  source.skip = skipped.skip
  return { tasks: 0, invalid: 0, chunks: 0, done: source.offset >= source.size! }
}

/** Cuts the slice's records into chunks and stores them; returns the tasks and chunks made. */
function cutChunks(
  store: BatchStore,
  source: FileSource,
  slice: ReturnType<typeof parseSlice>,
  options: IngestOptions,
): IngestStep {
  const { records, ends } = slice
  const claims: { seq: number; customId: string }[] = []
  const errors = new Map<number, { customId: string; error: TaskError }>()
  records.forEach((record, i) => {
    const seq = options.firstSeq + i
    if (!record.ok) {
      const error = { code: record.code ?? 'unparseable_row', message: `Row ${seq}: ${record.error}` }
      errors.set(seq, { customId: generatedName(seq), error })
      return
    }
    const customId = recordName(record.value, source.mapping)
    if (!customId) return
    const problem = customIdProblem(customId, seq)
    if (problem) errors.set(seq, { customId: generatedName(seq), error: problem })
    else claims.push({ seq, customId })
  })
  const claimed = new Map(claims.map((claim) => [claim.seq, claim.customId]))
  for (const seq of store.claimCustomIds(claims)) {
    const customId = claimed.get(seq)!
    errors.set(seq, {
      customId,
      error: {
        code: 'duplicate_custom_id',
        message: `custom_id "${customId}" appears earlier in the batch.`,
      },
    })
  }

  let chunks = 0
  let begin = 0
  const close = (endIndex: number) => {
    if (endIndex <= begin) return
    const firstSeq = options.firstSeq + begin
    const states = new Uint8Array(endIndex - begin)
    const ingestErrors: NewChunk['ingestErrors'] = []
    for (let i = begin; i < endIndex; i++) {
      const failed = errors.get(options.firstSeq + i)
      if (failed) {
        states[i - begin] = TASK_STATE.invalid
        ingestErrors.push({ seq: options.firstSeq + i, ...failed })
      } else states[i - begin] = options.cancelled ? TASK_STATE.failed : TASK_STATE.open
    }
    store.addChunk({
      id: options.firstChunk + chunks++,
      firstSeq,
      states,
      start: source.offset + (begin === 0 ? slice.rowsStart : ends[begin - 1]!),
      end: source.offset + ends[endIndex - 1]!,
      fallback: options.cancelled ? CANCELLED_ERROR : null,
      ingestErrors,
    })
    begin = endIndex
  }
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    // A record over the limit is a chunk of its own, so no consumer ever reads its bytes.
    if (!record.ok && record.code === 'record_too_large') {
      close(i)
      close(i + 1)
      continue
    }
    const rangeStart = begin === 0 ? slice.rowsStart : ends[begin - 1]!
    if (i - begin >= options.chunkTasks || ends[i]! - rangeStart > CHUNK_MAX_BYTES) close(i)
  }
  close(records.length)
  return { tasks: records.length, invalid: errors.size, chunks, done: false }
}

/**
 * Ingests the next slice of the file; returns the tasks and chunks made and whether the file is
 * done. The caller persists `source` (its offset moves past the rows cut) in the same turn.
 */
export async function ingestSlice(
  bucket: R2Bucket,
  store: BatchStore,
  source: FileSource,
  options: IngestOptions,
): Promise<IngestStep> {
  if (source.size === null) {
    const head = await bucket.head(source.key)
    if (!head) throw new IngestError('The input file no longer exists.')
    source.size = head.size
  }
  const { maxRecordBytes } = options
  const sliceBytes = Math.min(source.sliceBytes, maxSliceBytes(maxRecordBytes))
  const length = Math.min(sliceBytes, source.size - source.offset)
  if (length <= 0) return { tasks: 0, invalid: 0, chunks: 0, done: true }
  if (source.skip != null) return skipOverlong(bucket, source, length)
  const bytes = await readRange(bucket, source, length)
  const final = source.offset + length >= source.size

  let slice: ReturnType<typeof parseSlice>
  try {
    slice = parseSlice(source.format, bytes, {
      header: source.header,
      final,
      maxRecordBytes,
      dialect: source.dialect,
    })
  } catch (error) {
    throw new IngestError(error instanceof Error ? error.message : String(error))
  }
  if (slice.header) {
    source.header = slice.header
    const missing = mappedColumns(source.mapping).filter((column) => !slice.header!.includes(column))
    if (missing.length)
      throw new IngestError(`The mapping names columns the file does not have: ${missing.join(', ')}.`)
  }
  if (slice.consumedBytes === 0 && !final) {
    source.sliceBytes = Math.min(sliceBytes * 2, maxSliceBytes(maxRecordBytes))
    return { tasks: 0, invalid: 0, chunks: 0, done: false }
  }
  const kept = withoutSkipped(slice, source.skipBlank)
  const step = store.atomically(() => cutChunks(store, source, kept, options))
  source.offset += slice.consumedBytes
  if (slice.skip !== undefined) source.skip = slice.skip
  return { ...step, done: final || source.offset >= source.size }
}
