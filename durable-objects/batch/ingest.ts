// Reads an uploaded input file from R2 one slice at a time and turns its rows into tasks.
import { parseSlice } from '../../shared/ingest/slice'
import type { TemplateSnapshot } from '../../shared/pipeline/messages'
import type { TaskDefinition } from '../../shared/tasks/types'
import { type InputRow, insertRows, splitCustomId } from './rows'
import type { FileSource } from './state'

/** Bytes read per slice; doubled when one record does not fit. */
export const SLICE_BYTES = 4 * 1024 * 1024

export class IngestError extends Error {}

/**
 * Ingests the next slice of the file; returns the rows written and whether the file is done.
 * The caller persists `source` (its offset moves past the rows written) in the same turn.
 */
export async function ingestSlice(
  bucket: R2Bucket,
  sql: SqlStorage,
  source: FileSource,
  options: { task: TaskDefinition; template: TemplateSnapshot | null; firstSeq: number; cancelled: boolean },
): Promise<{ inserted: number; failed: number; done: boolean }> {
  if (source.size === null) {
    const head = await bucket.head(source.key)
    if (!head) throw new IngestError('The input file no longer exists.')
    source.size = head.size
  }
  const length = Math.min(source.sliceBytes, source.size - source.offset)
  if (length <= 0) return { inserted: 0, failed: 0, done: true }
  const object = await bucket.get(source.key, { range: { offset: source.offset, length } })
  if (!object) throw new IngestError('The input file no longer exists.')
  const bytes = new Uint8Array(await object.arrayBuffer())
  const final = source.offset + length >= source.size

  let slice: ReturnType<typeof parseSlice>
  try {
    slice = parseSlice(source.format, bytes, { header: source.header, final })
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
    source.sliceBytes *= 2
    return { inserted: 0, failed: 0, done: false }
  }
  const rows: InputRow[] = slice.records.map((record) =>
    record.ok ? splitCustomId(record.value) : { customId: null, error: record.error },
  )
  const written = rows.length
    ? insertRows(sql, rows, { ...options, mapping: source.mapping })
    : { inserted: 0, failed: 0 }
  source.offset += slice.consumedBytes
  return { ...written, done: final || source.offset >= source.size }
}
