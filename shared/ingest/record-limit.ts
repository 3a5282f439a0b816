// The size limit of one record (a CSV row, header included, or a JSON Lines line) of a batch file.
// Uploads over it are refused; a batch object reading a file never holds more than a slice plus
// one record of it, and a record over the limit that is found there anyway fails as a task.
// A record's size is its bytes without the line terminator (LF, or CRLF).
import type { RawRecord } from './slice'

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024

/** The limit from `MAX_RECORD_BYTES`, or 1 MiB when it is unset or not a positive integer. */
export function recordLimit(env: { MAX_RECORD_BYTES?: string }): number {
  const limit = Number(env.MAX_RECORD_BYTES)
  return Number.isSafeInteger(limit) && limit > 0 ? limit : DEFAULT_MAX_RECORD_BYTES
}

/** `1 MiB`, `64 KiB`, or `1000 bytes` when not a whole number of KiB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}

/** The failed record standing for one that is over the limit; its bytes are never decoded. */
export function recordTooLarge(maxBytes: number): RawRecord {
  return {
    ok: false,
    code: 'record_too_large',
    error: `Record is longer than the limit of ${formatBytes(maxBytes)} per record.`,
  }
}
