// An uploaded Excel workbook (.xlsx) becomes the CSV of one worksheet (the first, or the one named
// with `?sheet=`): cells as Excel shows them (formatted numbers and dates), UTF-8, commas. The rest
// of the pipeline then reads it like any CSV. Read with SheetJS (the @e965/xlsx build of its 0.20
// release, which npm's `xlsx` 0.18 predates the security fixes of). A workbook is a zip that must be
// read whole, so it is held in memory and limited to MAX_XLSX_BYTES.
import { read, utils, type WorkSheet } from '@e965/xlsx'
import { concatBytes } from '../../shared/bytes'
import { AppError, errors } from '../../shared/errors'
import { mediaType } from './format'

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
export const MAX_XLSX_BYTES = 16 * 1024 * 1024

const ROWS_PER_PULL = 500
const encoder = new TextEncoder()

export function isXlsx(contentType: string | null | undefined, filename: string | null | undefined): boolean {
  return mediaType(contentType) === XLSX_MEDIA_TYPE || /\.xlsx$/i.test(filename ?? '')
}

async function readBody(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let size = 0
  for await (const part of body) {
    size += part.length
    if (size > MAX_XLSX_BYTES)
      throw new AppError(
        'payload_too_large',
        413,
        `An XLSX workbook is limited to ${MAX_XLSX_BYTES / 1024 / 1024} MiB; save the sheet as CSV to upload more.`,
        { limit_bytes: MAX_XLSX_BYTES },
      )
    parts.push(part)
  }
  return concatBytes(parts)
}

/** One CSV field, quoted when it holds a delimiter, a quote or a line break (RFC 4180). */
function csvField(value: unknown): string {
  const text = value == null ? '' : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

function sheetRows(sheet: WorkSheet): string[][] {
  return utils.sheet_to_json<string[]>(sheet, { header: 1, raw: false, defval: '', blankrows: false })
}

/** The CSV of the workbook's chosen sheet, as a stream, and that sheet's name. */
export async function xlsxToCsv(
  body: ReadableStream<Uint8Array>,
  sheetName: string | undefined,
): Promise<{ csv: ReadableStream<Uint8Array>; sheet: string }> {
  const bytes = await readBody(body)
  let workbook: ReturnType<typeof read>
  try {
    workbook = read(bytes, { type: 'array', dense: true })
  } catch {
    throw errors.validation('The file is not a readable XLSX workbook.')
  }
  const names = workbook.SheetNames
  const sheet = sheetName ?? names[0]
  if (!sheet || !workbook.Sheets[sheet])
    throw errors.validation(
      sheetName
        ? `The workbook has no sheet "${sheetName}". Its sheets: ${names.join(', ')}.`
        : 'The workbook has no sheets.',
      [{ path: 'sheet', message: `Expected one of: ${names.join(', ')}.` }],
    )
  const rows = sheetRows(workbook.Sheets[sheet]!)
  let next = 0
  const csv = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next >= rows.length) return controller.close()
      const lines = rows
        .slice(next, next + ROWS_PER_PULL)
        .map((row) => `${row.map(csvField).join(',')}\n`)
        .join('')
      next += ROWS_PER_PULL
      controller.enqueue(encoder.encode(lines))
    },
  })
  return { csv, sheet }
}
