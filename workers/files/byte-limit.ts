// Counts the bytes flowing through a stream and fails it as soon as they pass a limit, so an
// oversized upload stops at the limit instead of after the client has sent everything.
import { errors } from '../../shared/errors'

export type ByteLimiterOptions = {
  maxBytes: number
  /** The error the stream fails with; by default a 413 naming `maxBytes`. */
  onExceeded?: () => unknown
}

export type ByteLimiter = {
  stream: TransformStream<Uint8Array, Uint8Array>
  /** Bytes seen so far; the total once the stream has flushed. */
  bytes: () => number
}

/**
 * @example
 * const limiter = createByteLimiter({ maxBytes: Number(env.MAX_UPLOAD_BYTES) })
 * await body.pipeThrough(limiter.stream).pipeTo(sink)
 */
export function createByteLimiter({
  maxBytes,
  onExceeded = () => errors.tooLarge(maxBytes),
}: ByteLimiterOptions): ByteLimiter {
  let seen = 0
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength
      if (seen > maxBytes) {
        controller.error(onExceeded())
        return
      }
      controller.enqueue(chunk)
    },
  })
  return { stream, bytes: () => seen }
}
