// Finds how an uploaded data file is written and stores it so every reader can cut its records at
// the same bytes (shared/ingest/dialect.ts):
//   - a byte order mark decides: UTF-8's stays (the readers skip it), UTF-16's text is re-encoded
//     as UTF-8 without one;
//   - otherwise the bytes are checked as UTF-8 while they pass, and a file with any byte that is not
//     UTF-8 is Windows-1252 (what Excel saves as "CSV" on Windows in Western locales), stored as sent;
//   - a CSV's delimiter (`,` `;` tab `|`) is guessed from its first lines before any byte goes on.
// An encoding or delimiter given with the upload is used instead of the guess.
import { concatBytes } from '../../shared/bytes'
import type { DataFormat } from '../../shared/db/schema'
import { type Delimiter, type SourceEncoding, sniffDelimiter } from '../../shared/ingest/dialect'

/** Bytes held to guess the delimiter from: enough for a header and a few rows. */
const SNIFF_BYTES = 64 * 1024

export type DialectRequest = { encoding?: SourceEncoding; delimiter?: Delimiter }
export type FoundDialect = { encoding: SourceEncoding; bom: boolean; delimiter: Delimiter | null }

type Encoder = (bytes: Uint8Array, final: boolean) => Uint8Array

const BOMS: { encoding: SourceEncoding; bytes: number[] }[] = [
  { encoding: 'utf-8', bytes: [0xef, 0xbb, 0xbf] },
  { encoding: 'utf-16le', bytes: [0xff, 0xfe] },
  { encoding: 'utf-16be', bytes: [0xfe, 0xff] },
]

function bomOf(bytes: Uint8Array) {
  return BOMS.find((bom) => bom.bytes.every((byte, i) => bytes[i] === byte)) ?? null
}

/** Re-encodes UTF-16 text as UTF-8 as it streams (an odd byte at a chunk's end waits for the next). */
function utf16ToUtf8(encoding: 'utf-16le' | 'utf-16be'): Encoder {
  const decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: true })
  const encoder = new TextEncoder()
  return (bytes, final) => encoder.encode(decoder.decode(bytes, { stream: !final }))
}

export function createTextNormalizer(format: DataFormat, requested: DialectRequest = {}) {
  const found: FoundDialect = { encoding: requested.encoding ?? 'utf-8', bom: false, delimiter: null }
  let head: Uint8Array[] | null = []
  let headBytes = 0
  let encode: Encoder = (bytes) => bytes
  // Checks that the bytes are UTF-8 while no encoding was given and none has been found yet.
  let validator: TextDecoder | null = null
  let storedBytes = 0

  const check = (bytes: Uint8Array, final: boolean) => {
    if (!validator) return
    try {
      validator.decode(bytes, { stream: !final })
    } catch {
      found.encoding = 'windows-1252'
      validator = null
    }
  }

  /** Decides from the file's first bytes, then lets them go on. */
  const start = (controller: TransformStreamDefaultController<Uint8Array>, final: boolean) => {
    let bytes = concatBytes(head!)
    head = null
    const bom = bomOf(bytes)
    if (bom && (!requested.encoding || requested.encoding === bom.encoding)) {
      found.encoding = bom.encoding
      found.bom = true
      if (bom.encoding !== 'utf-8') bytes = bytes.subarray(bom.bytes.length)
    }
    if (found.encoding === 'utf-16le' || found.encoding === 'utf-16be') encode = utf16ToUtf8(found.encoding)
    else if (!requested.encoding && found.encoding === 'utf-8')
      validator = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
    const out = encode(bytes, final)
    check(out, final)
    if (format === 'csv') {
      const sample = new TextDecoder(found.encoding === 'windows-1252' ? 'windows-1252' : 'utf-8').decode(out)
      found.delimiter = requested.delimiter ?? sniffDelimiter(sample)
    }
    emit(controller, out)
  }

  const emit = (controller: TransformStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
    if (!bytes.length) return
    storedBytes += bytes.length
    controller.enqueue(bytes)
  }

  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (head) {
        head.push(chunk)
        headBytes += chunk.length
        if (headBytes >= SNIFF_BYTES) start(controller, false)
        return
      }
      const out = encode(chunk, false)
      check(out, false)
      emit(controller, out)
    },
    flush(controller) {
      if (head) return start(controller, true)
      const out = encode(new Uint8Array(0), true)
      check(out, true)
      emit(controller, out)
    },
  })
  return {
    stream,
    /** Known once the stream has ended. */
    dialect: (): FoundDialect => ({ ...found }),
    /** The delimiter, known before the first byte leaves the stream. */
    delimiter: (): Delimiter => found.delimiter ?? ',',
    storedBytes: () => storedBytes,
  }
}
