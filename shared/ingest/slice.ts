// Parses one byte range of an uploaded batch file into records, so a Durable Object can walk an R2 object
// a few megabytes at a time, resuming each call where the previous one's complete records ended.
import type { DataFormat } from '../db/schema'
import type { RowErrorCode } from '../error-codes'
import { CsvRecordScanner, parseCsvSlice } from './csv'
import { DEFAULT_DIALECT, type Dialect } from './dialect'
import { parseJsonlSlice } from './jsonl'

export type RawRecord =
  | { ok: true; value: Record<string, unknown> } // CSV: header name -> string value; JSONL: the parsed object
  | { ok: false; error: string; code?: RowErrorCode } // a clear, human-readable reason

export type SliceResult = {
  records: RawRecord[] // in file order, one per data record (CSV header excluded, blank lines excluded)
  /** Per record, the offset in `bytes` just past it (its line terminator included): where a range of records may be cut. */
  ends: number[]
  /** Where the first record may start: past a CSV header (and BOM) read in this slice, else 0. */
  rowsStart: number
  consumedBytes: number // bytes of `bytes` through the end of the last complete record, incl. its line terminator
  header?: string[] // CSV only: set when this slice read the header (state.header was null)
  /**
   * Set when the slice ends inside a record already over `maxRecordBytes`: that record is the last
   * of `records` (failed), `consumedBytes` is the whole slice, and the caller skips the rest of the
   * record with `skipRecord`, passing this value.
   */
  skip?: number
}

export type SliceState = {
  header: string[] | null
  final: boolean
  /** Records longer than this fail without being decoded (see record-limit.ts); no limit by default. */
  maxRecordBytes?: number
  /** The stored file's encoding and CSV delimiter; UTF-8 and commas by default. */
  dialect?: Dialect
}

/**
 * Parses the complete records at the start of `bytes`, which must begin at a record boundary.
 * A record cut off by the end of the slice is left for the next call unless `state.final` is set;
 * `consumedBytes` is 0 when not even one record fits, and the caller should then read a larger slice.
 * With `maxRecordBytes`, a slice of `maxRecordBytes + 2` bytes or more always makes progress, so
 * the caller never needs to read more than that plus its usual slice size.
 * Throws when a CSV header is missing, empty, over the record limit or names a column twice.
 *
 * @example
 * const { records, consumedBytes, header } = parseSlice('csv', bytes, { header: null, final: false })
 * // next call: bytes from offset + consumedBytes, with { header, final }
 */
export function parseSlice(format: DataFormat, bytes: Uint8Array, state: SliceState): SliceResult {
  return format === 'csv' ? parseCsvSlice(bytes, state) : parseJsonlSlice(bytes, state)
}

/**
 * Goes on through a record that is being skipped: `end` is the offset in `bytes` just past its line
 * terminator, or null when the record runs past these bytes too (call again with `skip`).
 */
export function skipRecord(
  format: DataFormat,
  bytes: Uint8Array,
  skip: number,
  dialect: Dialect = DEFAULT_DIALECT,
): { end: number; skip: null } | { end: null; skip: number } {
  const scanner = format === 'csv' ? new CsvRecordScanner(skip, dialect.delimiter) : null
  const lineFeed = scanner ? scanner.findRecordEnd(bytes, 0) : bytes.indexOf(0x0a)
  return lineFeed === -1 ? { end: null, skip: scanner?.carried ?? 0 } : { end: lineFeed + 1, skip: null }
}
