// How a data file is written: the text encoding it came in and, for CSV, the delimiter. Found when
// it is uploaded (workers/files/text-normalizer.ts), reported on the file, and carried to every
// reader of the stored bytes. UTF-16 is stored as UTF-8; Windows-1252 is stored as sent (each
// byte one character, so records are still cut at the same bytes) and decoded when read.

export const SOURCE_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const
export type SourceEncoding = (typeof SOURCE_ENCODINGS)[number]

/** The encoding of the stored object's bytes. */
export type StoredEncoding = 'utf-8' | 'windows-1252'

export const DELIMITERS = [',', ';', '\t', '|'] as const
export type Delimiter = (typeof DELIMITERS)[number]

/** What a reader of the stored object needs. */
export type Dialect = { encoding: StoredEncoding; delimiter: Delimiter }

export const DEFAULT_DIALECT: Dialect = { encoding: 'utf-8', delimiter: ',' }

export function storedEncoding(source: SourceEncoding): StoredEncoding {
  return source === 'windows-1252' ? 'windows-1252' : 'utf-8'
}

// Without ignoreBOM a decoder drops a BOM at the start of what it decodes: JSON Lines made by
// concatenating BOM-prefixed files still parse, whatever slice a line starts. CSV keeps it (its
// parser skips the one at the start of the file itself).
const decoders = (ignoreBOM: boolean): Record<StoredEncoding, TextDecoder> => ({
  'utf-8': new TextDecoder('utf-8', { fatal: true, ignoreBOM }),
  // Every byte is a character in the WHATWG mapping of windows-1252, so it never fails.
  'windows-1252': new TextDecoder('windows-1252', { fatal: false, ignoreBOM }),
})
const DROPPING_BOM = decoders(false)
const KEEPING_BOM = decoders(true)

/** A decoder for stored bytes; UTF-8's is strict (it throws on bytes that are not UTF-8). */
export function decoderFor(encoding: StoredEncoding, options: { keepBom?: boolean } = {}): TextDecoder {
  return (options.keepBom ? KEEPING_BOM : DROPPING_BOM)[encoding]
}

/** Lines of a CSV's start that the delimiter is guessed from. */
const SNIFF_LINES = 5

/**
 * The delimiter of a CSV from the text at its start: the candidate found most often outside quotes
 * on the header line, preferring one that splits the next lines into as many fields. A header
 * with none of them is one column, read with commas.
 */
export function sniffDelimiter(text: string): Delimiter {
  const lines = text.split('\n', SNIFF_LINES + 1)
  // The last piece may be cut off where the sample ends (or be the empty rest after a final LF).
  if (lines.length > 1) lines.pop()
  const [header = '', ...rest] = lines.slice(0, SNIFF_LINES)
  let best: Delimiter = ','
  let bestScore = 0
  for (const delimiter of DELIMITERS) {
    const count = countOutsideQuotes(header, delimiter)
    if (count === 0) continue
    const consistent = rest.filter(
      (line) => line.trim() && countOutsideQuotes(line, delimiter) === count,
    ).length
    const score = count + consistent * 1000
    if (score > bestScore) {
      best = delimiter
      bestScore = score
    }
  }
  return best
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0
  let quoted = false
  for (const ch of line) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === delimiter) count++
  }
  return count
}
