// JSON Lines for uploaded batch files: one JSON object per line, read from raw bytes so a file can be
// parsed slice by slice. A line that is not an object becomes an error record rather than failing the file.
import { withoutTrailingCr } from './csv'
import { recordTooLarge } from './record-limit'
import type { RawRecord, SliceResult } from './slice'

const LF = 0x0a

// JSON's own whitespace, minus the line feed; the record counter treats the same bytes as blank.
const BLANK_LINE = /^[ \t\r]*$/

// Without ignoreBOM the decoder drops a BOM at the start of each line: files made by concatenating
// BOM-prefixed files still parse, and the result does not depend on where slices begin.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export function parseJsonlSlice(
  bytes: Uint8Array,
  state: { final: boolean; maxRecordBytes?: number },
): SliceResult {
  const records: RawRecord[] = []
  const ends: number[] = []
  const maxBytes = state.maxRecordBytes ?? Number.POSITIVE_INFINITY
  let position = 0
  let consumed = 0
  while (position < bytes.length) {
    const lineFeed = bytes.indexOf(LF, position)
    if (lineFeed === -1 && !state.final) {
      // A line already longer than the limit is not waited for (see parseCsvSlice).
      if (withoutTrailingCr(bytes.subarray(position)).length <= maxBytes) break
      records.push(recordTooLarge(maxBytes))
      ends.push(bytes.length)
      return { records, ends, rowsStart: 0, consumedBytes: bytes.length, skip: 0 }
    }
    const end = lineFeed === -1 ? bytes.length : lineFeed
    const line = bytes.subarray(position, end)
    position = end + 1
    consumed = Math.min(position, bytes.length)
    const record = withoutTrailingCr(line).length > maxBytes ? recordTooLarge(maxBytes) : parseJsonlLine(line)
    if (record !== null) {
      records.push(record)
      ends.push(consumed)
    }
  }
  return { records, ends, rowsStart: 0, consumedBytes: state.final ? bytes.length : consumed }
}

/** One line's record, or null for a blank line. */
export function parseJsonlLine(line: Uint8Array): RawRecord | null {
  let text: string
  try {
    text = strictUtf8.decode(line)
  } catch {
    return { ok: false, error: 'Line is not valid UTF-8' }
  }
  if (BLANK_LINE.test(text)) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, error: `Line is not valid JSON: ${error instanceof Error ? error.message : error}` }
  }
  if (!isPlainObject(value)) return { ok: false, error: `Line is ${describeJson(value)}, not an object` }
  return { ok: true, value }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describeJson(value: unknown): string {
  if (value === null) return 'JSON null'
  if (Array.isArray(value)) return 'a JSON array'
  return `a JSON ${typeof value}`
}
