// Counts the records of an upload while it streams to R2, keeping only the CSV header and a few bytes of
// state: the count must match what parseSlice later reads from the stored object, without holding the file.
import { concatBytes } from '../bytes'
import type { DataFormat } from '../db/schema'
import { CsvRecordScanner, splitCsvFields, startsWithUtf8Bom, withoutTrailingCr } from './csv'
import type { Delimiter } from './dialect'
import { formatBytes } from './record-limit'

const LF = 0x0a
const UTF8_BOM = [0xef, 0xbb, 0xbf]
const MAX_HEADER_BYTES = 1024 * 1024

// The upload is only counted here; parseSlice reports an undecodable header when the batch is read.
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

type Counter = { records: number; header: string[] | null; push(bytes: Uint8Array): void; finish(): void }

/** A record of the upload is over the limit; `record` counts data records from 1, 0 is the CSV header. */
export class RecordTooLarge extends Error {
  constructor(
    readonly record: number,
    readonly limitBytes: number,
  ) {
    super(
      record === 0
        ? `The CSV header row is longer than ${formatBytes(limitBytes)}.`
        : `A record is limited to ${formatBytes(limitBytes)}; record ${record} has more.`,
    )
    this.name = 'RecordTooLarge'
  }
}

/**
 * Bytes of the record being read, held against the limit as they arrive: a record's size is its
 * bytes before the line feed, less the CR of a CRLF (as parseSlice measures it).
 */
class RecordSize {
  private bytes = 0
  private lastWasCr = false

  constructor(private readonly limit: number) {}

  /** Adds bytes of the record; throws as soon as it is over the limit, whatever comes next. */
  see(bytes: Uint8Array, from: number, to: number, record: () => number): void {
    if (to <= from) return
    this.bytes += to - from
    this.lastWasCr = bytes[to - 1] === 0x0d
    if (this.bytes - 1 > this.limit) throw new RecordTooLarge(record(), this.limit)
  }

  /** Ends the record; throws if it is over the limit. */
  end(record: () => number): void {
    const size = this.bytes - (this.lastWasCr ? 1 : 0)
    this.bytes = 0
    this.lastWasCr = false
    if (size > this.limit) throw new RecordTooLarge(record(), this.limit)
  }
}

/**
 * A pass-through stream that counts data records: CSV rows after the header, or non-blank JSONL lines.
 * JSON is not validated here; invalid lines are still records (they become error records when parsed).
 * The stream fails with RecordTooLarge as soon as one record (blank lines included) passes
 * `maxRecordBytes`, and a CSV header row 1 MiB, so no record is ever held or stored whole.
 *
 * @example
 * const counter = createRecordCounter('csv', { maxRecordBytes: 1024 * 1024 })
 * await env.FILES.put(key, request.body.pipeThrough(counter.stream))
 * const { records, header } = counter.result()
 */
export function createRecordCounter(
  format: DataFormat,
  {
    maxRecordBytes = Number.POSITIVE_INFINITY,
    delimiter = () => ',',
  }: {
    maxRecordBytes?: number
    /** A CSV's delimiter, asked for when its first bytes arrive (an upstream stage may find it). */
    delimiter?: () => Delimiter
  } = {},
): {
  stream: TransformStream<Uint8Array, Uint8Array>
  result: () => { records: number; header: string[] | null }
} {
  const counter: Counter =
    format === 'csv' ? new CsvCounter(maxRecordBytes, delimiter) : new JsonlCounter(maxRecordBytes)
  let flushed = false
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      counter.push(chunk)
      controller.enqueue(chunk)
    },
    flush() {
      counter.finish()
      flushed = true
    },
  })
  return {
    stream,
    result() {
      if (!flushed) throw new Error('The record count is known only after the whole stream has been read.')
      return { records: counter.records, header: counter.header }
    },
  }
}

/** Whether a line holds anything besides blanks (space, tab, CR), optionally ignoring one leading BOM. */
class LineContent {
  private found = false
  private bomBytesMatched: number // -1 once the line can no longer start with a BOM

  constructor(private readonly ignoreLeadingBom: boolean) {
    this.bomBytesMatched = ignoreLeadingBom ? 0 : -1
  }

  see(bytes: Uint8Array, from: number, to: number): void {
    let i = from
    while (this.bomBytesMatched >= 0 && this.bomBytesMatched < UTF8_BOM.length && i < to) {
      if (bytes[i] === UTF8_BOM[this.bomBytesMatched]) {
        this.bomBytesMatched++
        i++
      } else {
        this.found ||= this.bomBytesMatched > 0
        this.bomBytesMatched = -1
      }
    }
    for (; !this.found && i < to; i++) {
      const byte = bytes[i]
      this.found = byte !== 0x20 && byte !== 0x09 && byte !== 0x0d
    }
  }

  /** Ends the line; true when it had content. An incomplete BOM is content (the parser rejects it). */
  end(): boolean {
    const found = this.found || (this.bomBytesMatched > 0 && this.bomBytesMatched < UTF8_BOM.length)
    this.found = false
    this.bomBytesMatched = this.ignoreLeadingBom ? 0 : -1
    return found
  }
}

class JsonlCounter implements Counter {
  records = 0
  readonly header = null
  private readonly line = new LineContent(true)
  private readonly size: RecordSize
  private readonly next = () => this.records + 1

  constructor(maxRecordBytes: number) {
    this.size = new RecordSize(maxRecordBytes)
  }

  push(bytes: Uint8Array): void {
    for (let from = 0; from < bytes.length; ) {
      const lineFeed = bytes.indexOf(LF, from)
      const to = lineFeed === -1 ? bytes.length : lineFeed
      this.size.see(bytes, from, to, this.next)
      this.line.see(bytes, from, to)
      if (lineFeed === -1) return
      this.endLine()
      from = lineFeed + 1
    }
  }

  finish(): void {
    this.endLine()
  }

  private endLine(): void {
    this.size.end(this.next)
    if (this.line.end()) this.records++
  }
}

class CsvCounter implements Counter {
  records = 0
  header: string[] | null = null
  private scanner: CsvRecordScanner | null = null
  private readonly record = new LineContent(false)
  // The file's first bytes, held back until it is known whether they are a BOM the scanner must not see.
  private start: Uint8Array | null = new Uint8Array(0)
  private headerParts: Uint8Array[] = []
  private headerBytes = 0
  private readonly size: RecordSize
  private readonly next = () => (this.header === null ? 0 : this.records + 1)

  constructor(
    maxRecordBytes: number,
    private readonly delimiter: () => Delimiter,
  ) {
    this.size = new RecordSize(maxRecordBytes)
  }

  push(bytes: Uint8Array): void {
    if (this.start === null) {
      this.scan(bytes)
      return
    }
    const start = concatBytes([this.start, bytes])
    if (start.length < UTF8_BOM.length && start.every((byte, i) => byte === UTF8_BOM[i])) {
      this.start = start
      return
    }
    this.start = null
    this.scan(startsWithUtf8Bom(start) ? start.subarray(UTF8_BOM.length) : start)
  }

  finish(): void {
    if (this.start !== null) {
      const start = this.start
      this.start = null
      this.scan(start)
    }
    this.endRecord()
  }

  private scan(bytes: Uint8Array): void {
    this.scanner ??= new CsvRecordScanner(undefined, this.delimiter())
    for (let from = 0; from < bytes.length; ) {
      const lineFeed = this.scanner.findRecordEnd(bytes, from)
      const to = lineFeed === -1 ? bytes.length : lineFeed
      this.size.see(bytes, from, to, this.next)
      this.record.see(bytes, from, to)
      if (this.header === null) this.keepHeaderBytes(bytes.subarray(from, to))
      if (lineFeed === -1) return
      this.endRecord()
      from = lineFeed + 1
    }
  }

  private keepHeaderBytes(bytes: Uint8Array): void {
    this.headerBytes += bytes.length
    if (this.headerBytes > MAX_HEADER_BYTES) throw new RecordTooLarge(0, MAX_HEADER_BYTES)
    this.headerParts.push(bytes.slice())
  }

  private endRecord(): void {
    this.size.end(this.next)
    const hadContent = this.record.end()
    if (this.header !== null) {
      if (hadContent) this.records++
      return
    }
    if (hadContent) {
      const text = lenientUtf8.decode(withoutTrailingCr(concatBytes(this.headerParts)))
      this.header = splitCsvFields(text, this.delimiter()).fields.map((field) => field.trim())
    }
    this.headerParts = []
    this.headerBytes = 0
  }
}
