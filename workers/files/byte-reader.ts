// Pull-based reading of a byte stream by delimiters, the primitive the multipart parser is built
// on: it holds only the bytes not yet handed on, never the whole body.

export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!
  const last = haystack.length - needle.length
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1
    while (j < needle.length && haystack[i + j] === needle[j]) j++
    if (j === needle.length) return i
  }
  return -1
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

export class ByteReader {
  private buffer: Uint8Array
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>
  private ended = false

  constructor(stream: ReadableStream<Uint8Array>, prefix = new Uint8Array(0)) {
    this.reader = stream.getReader()
    this.buffer = prefix
  }

  /** Reads one more chunk into the buffer; false once the stream has ended. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false
    const { done, value } = await this.reader.read()
    if (done) {
      this.ended = true
      return false
    }
    this.buffer = concat(this.buffer, value)
    return true
  }

  /** The next `length` bytes without consuming them; fewer only at the end of the stream. */
  async peek(length: number): Promise<Uint8Array> {
    while (this.buffer.length < length && (await this.fill())) {}
    return this.buffer.subarray(0, length)
  }

  /**
   * Consumes up to and including `delimiter` and returns what came before it, or null when the
   * stream ends (or `maxBytes` pass) without one.
   */
  async readThrough(delimiter: Uint8Array, maxBytes: number): Promise<Uint8Array | null> {
    let from = 0
    for (;;) {
      const at = indexOfBytes(this.buffer, delimiter, from)
      if (at !== -1) {
        const before = this.buffer.subarray(0, at)
        this.buffer = this.buffer.subarray(at + delimiter.length)
        return before
      }
      if (this.buffer.length > maxBytes) return null
      from = Math.max(0, this.buffer.length - delimiter.length + 1)
      if (!(await this.fill())) return null
    }
  }

  /**
   * The next bytes before `delimiter`, as many as can be handed on without risking a split
   * delimiter; `found` says the delimiter was reached and consumed. Null if the stream ends first.
   */
  async readUntil(delimiter: Uint8Array): Promise<{ bytes: Uint8Array; found: boolean } | null> {
    for (;;) {
      const at = indexOfBytes(this.buffer, delimiter)
      if (at !== -1) {
        const bytes = this.buffer.subarray(0, at)
        this.buffer = this.buffer.subarray(at + delimiter.length)
        return { bytes, found: true }
      }
      const safe = this.buffer.length - delimiter.length + 1
      if (safe > 0) {
        const bytes = this.buffer.subarray(0, safe)
        this.buffer = this.buffer.subarray(safe)
        return { bytes, found: false }
      }
      if (!(await this.fill())) return null
    }
  }

  async cancel(reason?: unknown): Promise<void> {
    this.ended = true
    await this.reader.cancel(reason).catch(() => {})
  }
}
