// Parses one byte range of an uploaded batch file into records, so a Durable Object can walk an R2 object
// a few megabytes at a time, resuming each call where the previous one's complete records ended.
import type { DataFormat } from '../db/schema'
import { parseCsvSlice } from './csv'
import { parseJsonlSlice } from './jsonl'

export type RawRecord =
  | { ok: true; value: Record<string, unknown> } // CSV: header name -> string value; JSONL: the parsed object
  | { ok: false; error: string } // a clear, human-readable reason

export type SliceResult = {
  records: RawRecord[] // in file order, one per data record (CSV header excluded, blank lines excluded)
  consumedBytes: number // bytes of `bytes` through the end of the last complete record, incl. its line terminator
  header?: string[] // CSV only: set when this slice read the header (state.header was null)
}

/**
 * Parses the complete records at the start of `bytes`, which must begin at a record boundary.
 * A record cut off by the end of the slice is left for the next call unless `state.final` is set;
 * `consumedBytes` is 0 when not even one record fits, and the caller should then read a larger slice.
 * Throws when a CSV header is missing, empty or names a column twice.
 *
 * @example
 * const { records, consumedBytes, header } = parseSlice('csv', bytes, { header: null, final: false })
 * // next call: bytes from offset + consumedBytes, with { header, final }
 */
export function parseSlice(
  format: DataFormat,
  bytes: Uint8Array,
  state: { header: string[] | null; final: boolean },
): SliceResult {
  return format === 'csv' ? parseCsvSlice(bytes, state) : parseJsonlSlice(bytes, state.final)
}
