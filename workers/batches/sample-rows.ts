// The first rows of a batch request, before it exists: inline items, or records from the start
// of the uploaded file (up to 1 MB read), with custom ids and the column mapping applied.
// Previews, estimates and template checks read these.

import { type DataFormat, dialectOf, type FileRow, isDataFormat } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { generatedName, readRecord, withoutSkipped } from '../../shared/ingest/rows'
import { parseSlice } from '../../shared/ingest/slice'
import type { BatchCreate } from '../../shared/schemas/batches'

const SAMPLE_BYTES = 1 << 20
/** Read for a CSV's header: it is at most one record, and records are rarely this long. */
const HEADER_BYTES = 64 * 1024

/** The format of a batch input file; an image file is refused. */
export function dataFormatOf(file: FileRow): DataFormat {
  if (isDataFormat(file.format)) return file.format
  throw new AppError(
    'not_a_batch_file',
    400,
    `File ${file.id} is an image; batches read CSV or JSON Lines files.`,
  )
}

/** A CSV file's columns (from its header); null for JSON Lines, whose lines name their own fields. */
export async function fileColumns(env: Env, file: FileRow): Promise<string[] | null> {
  if (dataFormatOf(file) !== 'csv') return null
  for (let length = Math.min(file.bytes, HEADER_BYTES); ; length = Math.min(file.bytes, length * 16)) {
    const object = await env.FILES.get(file.r2Key, { range: { offset: 0, length } })
    if (!object) throw errors.notFound('Input file')
    const bytes = new Uint8Array(await object.arrayBuffer())
    const final = length === file.bytes
    const slice = parseSlice('csv', bytes, { header: null, final, dialect: dialectOf(file) })
    if (slice.header) return slice.header
    if (final) return null
  }
}

export type SampleRow = { customId: string; input: Record<string, unknown> }
/** A sampled row that cannot be read, by its 1-based position among the sampled records. */
export type RefusedRow = { row: number; message: string }

export async function sampleRows(
  env: Env,
  body: Pick<BatchCreate, 'items' | 'mapping' | 'skip_blank'>,
  file: FileRow | undefined,
  limit: number,
): Promise<{ rows: SampleRow[]; refused: RefusedRow[] }> {
  const mapping = body.mapping ?? null
  if (!file) {
    const rows = (body.items ?? [])
      .slice(0, limit)
      .map((item) => ({ customId: item.custom_id, input: readRecord(item.input, mapping).input }))
    return { rows, refused: [] }
  }
  const length = Math.min(file.bytes, SAMPLE_BYTES)
  const object = await env.FILES.get(file.r2Key, { range: { offset: 0, length } })
  if (!object) throw errors.notFound('Input file')
  const parsed = parseSlice(dataFormatOf(file), new Uint8Array(await object.arrayBuffer()), {
    header: null,
    final: length === file.bytes,
    dialect: dialectOf(file),
  })
  const slice = withoutSkipped(parsed, body.skip_blank)
  const rows: SampleRow[] = []
  const refused: RefusedRow[] = []
  for (const [index, record] of slice.records.entries()) {
    if (rows.length + refused.length >= limit) break
    if (!record.ok) {
      refused.push({ row: index + 1, message: record.error })
      continue
    }
    const { customId, input } = readRecord(record.value, mapping)
    rows.push({ customId: customId ?? generatedName(index + 1), input })
  }
  return { rows, refused }
}
