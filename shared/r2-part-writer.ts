// Writes a large R2 object as a multipart upload from many small pieces, in parts of one fixed
// size (R2 wants every part but the last to be the same size), holding at most one part.

export const PART_BYTES = 8 * 1024 * 1024

const encoder = new TextEncoder()

export class R2PartWriter {
  private readonly upload: Promise<R2MultipartUpload>
  private readonly parts: Promise<R2UploadedPart>[] = []
  private buffer: Uint8Array
  private filled = 0
  bytes = 0

  constructor(
    bucket: R2Bucket,
    key: string,
    options: R2MultipartOptions = {},
    private readonly partBytes = PART_BYTES,
  ) {
    this.upload = bucket.createMultipartUpload(key, options)
    this.buffer = new Uint8Array(partBytes)
  }

  /** Appends text; uploads a part each time a full part is buffered. */
  async write(text: string): Promise<void> {
    let bytes = encoder.encode(text)
    this.bytes += bytes.length
    while (bytes.length) {
      const take = Math.min(bytes.length, this.partBytes - this.filled)
      this.buffer.set(bytes.subarray(0, take), this.filled)
      this.filled += take
      bytes = bytes.subarray(take)
      if (this.filled === this.partBytes) await this.flushPart()
    }
  }

  private async flushPart() {
    const upload = await this.upload
    const body = this.buffer.slice(0, this.filled)
    this.parts.push(upload.uploadPart(this.parts.length + 1, body))
    this.filled = 0
    // Bound memory: wait for parts in flight before buffering more than two.
    if (this.parts.length >= 2) await this.parts[this.parts.length - 2]
  }

  async close(): Promise<R2Object> {
    if (this.filled > 0 || this.parts.length === 0) await this.flushPart()
    const upload = await this.upload
    return upload.complete(await Promise.all(this.parts))
  }

  async abort(): Promise<void> {
    await (await this.upload).abort()
  }
}
