// Streams an upload into R2 while measuring it: the byte limit and the per-record limit are
// enforced, a data file's encoding and delimiter found (text-normalizer.ts) and its records
// counted on the way, and the object only becomes visible when the caller commits it.
import { type FileFormat, isDataFormat } from '../../shared/db/schema'
import { AppError } from '../../shared/errors'
import { createRecordCounter, RecordTooLarge } from '../../shared/ingest/record-counter'
import { createR2MultipartWriter } from '../../shared/r2-multipart-writer'
import { createByteLimiter } from './byte-limit'
import { CONTENT_TYPE } from './format'
import { createTextNormalizer, type DialectRequest, type FoundDialect } from './text-normalizer'

export type StageUploadOptions = {
  bucket: R2Bucket
  key: string
  body: ReadableStream<Uint8Array>
  format: FileFormat
  maxBytes: number
  /** The limit of one record of a data file (MAX_RECORD_BYTES). */
  maxRecordBytes: number
  /** An encoding or delimiter the uploader gave, used instead of the guess. */
  dialect?: DialectRequest
}

export type StagedUpload = {
  /** Bytes stored (a UTF-16 file is stored as UTF-8, so they may differ from those sent). */
  bytes: number
  records: number
  /** A data file's encoding and delimiter; null for an image. */
  dialect: FoundDialect | null
  /** Makes the object visible at its key. */
  commit: () => Promise<void>
  /** Drops the uploaded parts; never throws. */
  abort: () => Promise<void>
}

/**
 * Everything is streamed: memory holds at most two R2 parts, whatever the size of the upload.
 * On any failure the multipart upload is aborted and the error rethrown.
 */
export async function stageUpload({
  bucket,
  key,
  body,
  format,
  maxBytes,
  maxRecordBytes,
  dialect,
}: StageUploadOptions): Promise<StagedUpload> {
  const writer = await createR2MultipartWriter({
    bucket,
    key,
    httpMetadata: { contentType: CONTENT_TYPE[format] },
  })
  const limiter = createByteLimiter({ maxBytes })
  // Data files have their text normalised and their records counted; an image is one record.
  const data = isDataFormat(format) ? format : null
  const normalizer = data ? createTextNormalizer(data, dialect) : null
  const counter =
    data && normalizer ? createRecordCounter(data, { maxRecordBytes, delimiter: normalizer.delimiter }) : null
  try {
    const limited = body.pipeThrough(limiter.stream)
    const stored =
      normalizer && counter ? limited.pipeThrough(normalizer.stream).pipeThrough(counter.stream) : limited
    await stored.pipeTo(writer.writable)
  } catch (error) {
    await writer.abort()
    if (error instanceof RecordTooLarge)
      throw new AppError('record_too_large', 413, error.message, {
        limit_bytes: error.limitBytes,
        record: error.record,
      })
    throw error
  }
  const bytes = normalizer ? normalizer.storedBytes() : limiter.bytes()
  return {
    bytes,
    records: bytes === 0 ? 0 : counter ? counter.result().records : 1,
    dialect: normalizer?.dialect() ?? null,
    commit: async () => {
      await writer.complete().catch(async (error: unknown) => {
        await writer.abort()
        throw error
      })
    },
    abort: writer.abort,
  }
}
