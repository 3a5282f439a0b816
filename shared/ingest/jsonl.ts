// JSON Lines for uploaded batch files: one JSON object per line, read from raw bytes so a file can be
// parsed slice by slice. A line that is not an object becomes an error record rather than failing the file.
import { withoutTrailingCr } from './csv'
import { DEFAULT_DIALECT, type Dialect, decoderFor } from './dialect'
import { recordTooLarge } from './record-limit'
import type { RawRecord, SliceResult } from './slice'

const LF = 0x0a

// JSON's own whitespace, minus the line feed; the record counter treats the same bytes as blank.
const BLANK_LINE = /^[ \t\r]*$/

type JsonlState = { final: boolean; maxRecordBytes?: number; dialect?: Dialect }

export function parseJsonlSlice(bytes: Uint8Array, state: JsonlState): SliceResult {
  return parseDecodedSlice(bytes, state) ?? parseLineByLine(bytes, state)
}

const BOM = '\uFEFF'
const CR = 0x0d

/**
 * The usual case, valid UTF-8 throughout: one decode for the whole slice, then lines cut at the
 * same line feeds as parseLineByLine (the k-th LF byte is the k-th '\n' of the text), which gives
 * the same records. Null when the slice does not decode, and the caller goes line by line.
 */
function parseDecodedSlice(bytes: Uint8Array, state: JsonlState): SliceResult | null {
  const maxBytes = state.maxRecordBytes ?? Number.POSITIVE_INFINITY
  const lastLineFeed = bytes.lastIndexOf(LF)
  const decodedEnd = state.final ? bytes.length : lastLineFeed + 1
  let text: string
  try {
    text = decoderFor((state.dialect ?? DEFAULT_DIALECT).encoding).decode(bytes.subarray(0, decodedEnd))
  } catch {
    return null
  }
  const records: RawRecord[] = []
  const ends: number[] = []
  let position = 0
  let charPosition = 0
  while (position < decodedEnd) {
    const lineFeed = bytes.indexOf(LF, position)
    const end = lineFeed === -1 || lineFeed >= decodedEnd ? decodedEnd : lineFeed
    const charEnd = end === decodedEnd && lineFeed !== end ? text.length : text.indexOf('\n', charPosition)
    const lineBytes = end - position - (end > position && bytes[end - 1] === CR ? 1 : 0)
    const record =
      lineBytes > maxBytes ? recordTooLarge(maxBytes) : parseJsonlText(text.slice(charPosition, charEnd))
    position = end + 1
    charPosition = charEnd + 1
    if (record !== null) {
      records.push(record)
      ends.push(Math.min(position, bytes.length))
    }
  }
  if (!state.final && decodedEnd < bytes.length) {
    // The rest is a line cut off by the end of the slice: left for the next one, unless it is over the limit already.
    if (withoutTrailingCr(bytes.subarray(decodedEnd)).length > maxBytes) {
      records.push(recordTooLarge(maxBytes))
      ends.push(bytes.length)
      return { records, ends, rowsStart: 0, consumedBytes: bytes.length, skip: 0 }
    }
  }
  return { records, ends, rowsStart: 0, consumedBytes: state.final ? bytes.length : decodedEnd }
}

function parseLineByLine(bytes: Uint8Array, state: JsonlState): SliceResult {
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
    const record =
      withoutTrailingCr(line).length > maxBytes
        ? recordTooLarge(maxBytes)
        : parseJsonlLine(line, state.dialect ?? DEFAULT_DIALECT)
    if (record !== null) {
      records.push(record)
      ends.push(consumed)
    }
  }
  return { records, ends, rowsStart: 0, consumedBytes: state.final ? bytes.length : consumed }
}

/** One line's record, or null for a blank line. */
export function parseJsonlLine(line: Uint8Array, dialect: Dialect = DEFAULT_DIALECT): RawRecord | null {
  let text: string
  try {
    text = decoderFor(dialect.encoding).decode(line)
  } catch {
    return { ok: false, error: 'Line is not valid UTF-8' }
  }
  return parseJsonlText(text)
}

/** A decoded line's record, or null for a blank line; a BOM at its start is dropped, as decoding a line alone does. */
function parseJsonlText(line: string): RawRecord | null {
  const text = line.startsWith(BOM) ? line.slice(1) : line
  if (text.charCodeAt(0) !== 0x7b && BLANK_LINE.test(text)) return null
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
