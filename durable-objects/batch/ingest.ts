// Reads an uploaded input file from R2 one slice at a time and turns its rows into tasks. A read
// is never longer than SLICE_BYTES plus the record limit, however long a record of the file is.
import { parseSlice, skipRecord } from '../../shared/ingest/slice'
import type { TemplateSnapshot } from '../../shared/pipeline/messages'
import type { TaskDefinition } from '../../shared/tasks/types'
import { type InputRow, insertRows, splitCustomId } from './rows'
import type { FileSource } from './state'

/** Bytes read per slice; doubled when one record does not fit, up to `maxSliceBytes`. */
export const SLICE_BYTES = 4 * 1024 * 1024

/** The longest read: a slice plus one record; at that length parseSlice always makes progress. */
export function maxSliceBytes(maxRecordBytes: number): number {
  return SLICE_BYTES + maxRecordBytes
}

export class IngestError extends Error {}

export type IngestOptions = {
  task: TaskDefinition
  template: TemplateSnapshot | null
  firstSeq: number
  cancelled: boolean
  maxRecordBytes: number
}

async function readRange(bucket: R2Bucket, source: FileSource, length: number): Promise<Uint8Array> {
  const object = await bucket.get(source.key, { range: { offset: source.offset, length } })
  if (!object) throw new IngestError('The input file no longer exists.')
  return new Uint8Array(await object.arrayBuffer())
}

/** Reads on through a record over the limit (already failed as a task) to the start of the next one. */
async function skipOverlong(bucket: R2Bucket, source: FileSource, length: number) {
  const bytes = await readRange(bucket, source, length)
  const skipped = skipRecord(source.format, bytes, source.skip!)
  source.offset += skipped.end ?? bytes.length
  source.skip = skipped.skip
  return { inserted: 0, failed: 0, done: source.offset >= source.size! }
}

/**
 * Ingests the next slice of the file; returns the rows written and whether the file is done.
 * The caller persists `source` (its offset moves past the rows written) in the same turn.
 */
export async function ingestSlice(
  bucket: R2Bucket,
  sql: SqlStorage,
  source: FileSource,
  options: IngestOptions,
): Promise<{ inserted: number; failed: number; done: boolean }> {
  if (source.size === null) {
    const head = await bucket.head(source.key)
    if (!head) throw new IngestError('The input file no longer exists.')
    source.size = head.size
  }
  const { maxRecordBytes } = options
  const sliceBytes = Math.min(source.sliceBytes, maxSliceBytes(maxRecordBytes))
  const length = Math.min(sliceBytes, source.size - source.offset)
  if (length <= 0) return { inserted: 0, failed: 0, done: true }
  if (source.skip != null) return skipOverlong(bucket, source, length)
  const bytes = await readRange(bucket, source, length)
  const final = source.offset + length >= source.size

  let slice: ReturnType<typeof parseSlice>
  try {
    slice = parseSlice(source.format, bytes, { header: source.header, final, maxRecordBytes })
  } catch (error) {
    throw new IngestError(error instanceof Error ? error.message : String(error))
  }
  if (slice.header) {
    source.header = slice.header
    const missing = Object.values(source.mapping ?? {}).filter((column) => !slice.header!.includes(column))
    if (missing.length)
      throw new IngestError(`The mapping names columns the file does not have: ${missing.join(', ')}.`)
  }
  if (slice.consumedBytes === 0 && !final) {
    source.sliceBytes = Math.min(sliceBytes * 2, maxSliceBytes(maxRecordBytes))
    return { inserted: 0, failed: 0, done: false }
  }
  const rows: InputRow[] = slice.records.map((record) =>
    record.ok ? splitCustomId(record.value) : { customId: null, error: record.error, code: record.code },
  )
  const written = rows.length
    ? insertRows(sql, rows, { ...options, mapping: source.mapping })
    : { inserted: 0, failed: 0 }
  source.offset += slice.consumedBytes
  if (slice.skip !== undefined) source.skip = slice.skip
  return { ...written, done: final || source.offset >= source.size }
}
