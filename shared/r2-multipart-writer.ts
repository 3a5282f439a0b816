// A WritableStream that uploads what it is given to R2 as a multipart upload, so an object of
// any size is written with at most two parts in memory: the one filling and the one in flight.
// R2 needs every part but the last to be the same size (and at least 5 MiB), hence fixed parts.

export const DEFAULT_PART_BYTES = 8 * 1024 * 1024

export type R2MultipartWriterOptions = {
  bucket: R2Bucket
  key: string
  httpMetadata?: R2HTTPMetadata
  partBytes?: number
}

export type R2MultipartWriter = {
  writable: WritableStream<Uint8Array>
  /** Completes the upload; call only after `writable` has closed with at least one byte written. */
  complete: () => Promise<R2Object>
  /** Drops the upload and its parts; safe to call more than once, never throws. */
  abort: () => Promise<void>
}

/**
 * @example
 * const writer = await createR2MultipartWriter({ bucket: env.FILES, key })
 * try {
 *   await body.pipeTo(writer.writable)
 *   await writer.complete()
 * } catch (error) {
 *   await writer.abort()
 *   throw error
 * }
 */
export async function createR2MultipartWriter({
  bucket,
  key,
  httpMetadata,
  partBytes = DEFAULT_PART_BYTES,
}: R2MultipartWriterOptions): Promise<R2MultipartWriter> {
  const upload = await bucket.createMultipartUpload(key, httpMetadata ? { httpMetadata } : {})
  const parts: R2UploadedPart[] = []
  let part = new Uint8Array(partBytes)
  let filled = 0
  let inFlight: Promise<void> = Promise.resolve()
  let aborted = false

  // Waits for the previous part before sending the next, which is what slows the client down
  // (backpressure) when R2 is slower than the upload.
  async function send(bytes: Uint8Array) {
    await inFlight
    const partNumber = parts.length + 1
    inFlight = upload.uploadPart(partNumber, bytes).then((uploaded) => {
      parts.push(uploaded)
    })
    // Marked as handled here; the failure still surfaces at the next `await inFlight`.
    inFlight.catch(() => {})
  }

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      let offset = 0
      while (offset < chunk.byteLength) {
        const take = Math.min(partBytes - filled, chunk.byteLength - offset)
        part.set(chunk.subarray(offset, offset + take), filled)
        filled += take
        offset += take
        if (filled === partBytes) {
          await send(part)
          part = new Uint8Array(partBytes)
          filled = 0
        }
      }
    },
    async close() {
      if (filled > 0) await send(part.subarray(0, filled))
      await inFlight
    },
  })

  return {
    writable,
    complete: () => upload.complete(parts),
    abort: async () => {
      if (aborted) return
      aborted = true
      await inFlight.catch(() => {})
      await upload.abort().catch(() => {})
    },
  }
}
