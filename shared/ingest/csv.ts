// CSV for uploaded batch files (RFC 4180 as people really write it): finds record boundaries in raw bytes,
// so a file can be read in slices or counted as it streams, and turns records into header-keyed rows.
import { DEFAULT_DIALECT, type Delimiter, type Dialect, decoderFor } from './dialect'
import { formatBytes, recordTooLarge } from './record-limit'
import type { RawRecord, SliceResult } from './slice'

const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d
const UTF8_BOM = [0xef, 0xbb, 0xbf]

// A quote opens a quoted field only at the start of a field; inside an unquoted field it is plain text.
const FIELD_START = 0
const UNQUOTED = 1
const QUOTED = 2
const QUOTE_IN_QUOTED = 3 // either the closing quote or the first half of ""

// Blank lines are skipped; the record counter's notion of a blank byte is the same set.
const BLANK_RECORD = /^[ \t\r]*$/
const UNTERMINATED = 'ends inside a quoted field: a closing quote (") is missing.'

/** Finds where CSV records end in raw bytes, carrying the quote state from one call (or chunk) to the next. */
export class CsvRecordScanner {
  private readonly delimiter: number

  /** `carried`: the state a previous scanner ended in, to go on scanning the same record. */
  constructor(
    private state = FIELD_START,
    delimiter: Delimiter = ',',
  ) {
    this.delimiter = delimiter.charCodeAt(0)
  }

  /** The quote state at the end of the bytes scanned so far, for a scanner that goes on later. */
  get carried(): number {
    return this.state
  }

  /**
   * Index of the line feed ending the current record, scanning from `from`; -1 when the bytes end first.
   * Scanning bytes is safe for UTF-8 and Windows-1252: '"', the delimiters and '\n' never occur
   * inside a multi-byte character.
   */
  findRecordEnd(bytes: Uint8Array, from: number): number {
    let state = this.state
    const delimiter = this.delimiter
    for (let i = from; i < bytes.length; i++) {
      const byte = bytes[i]
      if (state === QUOTED) {
        if (byte === QUOTE) state = QUOTE_IN_QUOTED
      } else if (byte === QUOTE && state !== UNQUOTED) {
        state = QUOTED
      } else if (byte === LF) {
        this.state = FIELD_START
        return i
      } else {
        state = byte === delimiter ? FIELD_START : UNQUOTED
      }
    }
    this.state = state
    return -1
  }
}

/** Splits the text of one record (without its line terminator) into fields, with the scanner's rules. */
export function splitCsvFields(
  text: string,
  delimiter: Delimiter = ',',
): { fields: string[]; unterminatedQuote: boolean } {
  const fields: string[] = []
  for (let start = 0; ; ) {
    let field = ''
    let rest = start
    if (text.charCodeAt(start) === QUOTE) {
      for (let from = start + 1; ; ) {
        const quote = text.indexOf('"', from)
        if (quote === -1) {
          fields.push(field + text.slice(from))
          return { fields, unterminatedQuote: true }
        }
        field += text.slice(from, quote)
        if (text.charCodeAt(quote + 1) !== QUOTE) {
          rest = quote + 1
          break
        }
        field += '"'
        from = quote + 2
      }
    }
    // Text after a closing quote, like that of an unquoted field, runs to the next delimiter as it is.
    const comma = text.indexOf(delimiter, rest)
    fields.push(field + text.slice(rest, comma === -1 ? text.length : comma))
    if (comma === -1) return { fields, unterminatedQuote: false }
    start = comma + 1
  }
}

/** The record's bytes without the CR of a CRLF terminator. */
export function withoutTrailingCr(bytes: Uint8Array): Uint8Array {
  return bytes[bytes.length - 1] === CR ? bytes.subarray(0, -1) : bytes
}

export function startsWithUtf8Bom(bytes: Uint8Array): boolean {
  return UTF8_BOM.every((byte, i) => bytes[i] === byte)
}

/** Trims header names and rejects empty or repeated ones, which would make rows ambiguous. */
export function readCsvHeader(fields: string[]): string[] {
  const names = fields.map((field) => field.trim())
  const seen = new Map<string, number>()
  names.forEach((name, i) => {
    if (name === '') throw new Error(`Column ${i + 1} of the CSV header has no name.`)
    const earlier = seen.get(name)
    if (earlier !== undefined) {
      throw new Error(`The CSV header names "${name}" twice (columns ${earlier + 1} and ${i + 1}).`)
    }
    seen.set(name, i)
  })
  return names
}

export function parseCsvSlice(
  bytes: Uint8Array,
  state: { header: string[] | null; final: boolean; maxRecordBytes?: number; dialect?: Dialect },
): SliceResult {
  const dialect = state.dialect ?? DEFAULT_DIALECT
  const records: RawRecord[] = []
  const ends: number[] = []
  const scanner = new CsvRecordScanner(FIELD_START, dialect.delimiter)
  const maxBytes = state.maxRecordBytes ?? Number.POSITIVE_INFINITY
  let header = state.header
  let headerRead: string[] | undefined
  let position = header === null && startsWithUtf8Bom(bytes) ? UTF8_BOM.length : 0
  let consumed = 0
  let rowsStart = 0
  while (position < bytes.length) {
    const lineFeed = scanner.findRecordEnd(bytes, position)
    if (lineFeed === -1 && !state.final) {
      // A record already longer than the limit is not waited for: it fails, and the caller skips
      // the rest of it from where these bytes end.
      if (withoutTrailingCr(bytes.subarray(position)).length <= maxBytes) break
      if (header === null) throw new Error(headerTooLong(maxBytes))
      records.push(recordTooLarge(maxBytes))
      ends.push(bytes.length)
      return withHeader(
        { records, ends, rowsStart, consumedBytes: bytes.length, skip: scanner.carried },
        headerRead,
      )
    }
    const end = lineFeed === -1 ? bytes.length : lineFeed
    const record = withoutTrailingCr(bytes.subarray(position, end))
    position = end + 1
    consumed = Math.min(position, bytes.length)
    if (record.length > maxBytes) {
      if (header === null) throw new Error(headerTooLong(maxBytes))
      records.push(recordTooLarge(maxBytes))
      ends.push(consumed)
      continue
    }
    const text = decode(record, dialect)
    if (text !== null && BLANK_RECORD.test(text)) continue
    if (header === null) {
      header = headerRead = headerFromText(text, dialect.delimiter)
      rowsStart = consumed
    } else {
      records.push(rowFromText(text, header, dialect.delimiter))
      ends.push(consumed)
    }
  }
  if (state.final && header === null) {
    throw new Error('The CSV file is empty: it needs a header row naming the columns.')
  }
  return withHeader(
    { records, ends, rowsStart, consumedBytes: state.final ? bytes.length : consumed },
    headerRead,
  )
}

function withHeader(result: SliceResult, header: string[] | undefined): SliceResult {
  if (header) result.header = header
  return result
}

function headerTooLong(maxBytes: number): string {
  return `The CSV header row is longer than the record limit of ${formatBytes(maxBytes)}.`
}

function decode(bytes: Uint8Array, dialect: Dialect): string | null {
  try {
    // A BOM is skipped at the start of the file only (see above); one starting a row is its text.
    return decoderFor(dialect.encoding, { keepBom: true }).decode(bytes)
  } catch {
    return null
  }
}

function headerFromText(text: string | null, delimiter: Delimiter): string[] {
  if (text === null) throw new Error(NOT_UTF8('The CSV header row'))
  const { fields, unterminatedQuote } = splitCsvFields(text, delimiter)
  if (unterminatedQuote) throw new Error(`The CSV header row ${UNTERMINATED}`)
  return readCsvHeader(fields)
}

/** The message for bytes that are not UTF-8 in a file read as UTF-8 (its upload said so). */
const NOT_UTF8 = (what: string) =>
  `${what} is not valid UTF-8; upload the file again with ?encoding=windows-1252 (or the encoding it was saved in).`

function rowFromText(text: string | null, header: string[], delimiter: Delimiter): RawRecord {
  if (text === null) return { ok: false, error: NOT_UTF8('Row') }
  const { fields, unterminatedQuote } = splitCsvFields(text, delimiter)
  if (unterminatedQuote) return { ok: false, error: `Row ${UNTERMINATED}` }
  if (fields.length !== header.length) {
    const count = `${fields.length} field${fields.length === 1 ? '' : 's'}`
    return { ok: false, error: `Row has ${count}; the header has ${header.length}.` }
  }
  return { ok: true, value: Object.fromEntries(header.map((name, i) => [name, fields[i]])) }
}
