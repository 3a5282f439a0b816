// Turns a POST /v1/files request into a staged R2 upload: either a raw CSV/JSONL body with
// purpose and filename in the query, or multipart/form-data with `purpose` and `file` parts.
// Both are streamed; neither is ever read whole into memory.
import { FILE_PURPOSES, type FileFormat, isDataFormat } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { createByteLimiter } from './byte-limit'
import { CONTENT_TYPE, cleanFilename, detectFormat, mediaType } from './format'
import { multipartBoundary, readMultipart } from './multipart'
import { type StagedUpload, stageUpload } from './stage-upload'

type Purpose = (typeof FILE_PURPOSES)[number]

/** Room for the multipart envelope (boundaries, part headers, small fields) around the file. */
const MULTIPART_ENVELOPE_BYTES = 64 * 1024
const MAX_FIELD_BYTES = 1024

export type ReceiveUploadOptions = {
  request: Request
  bucket: R2Bucket
  key: string
  maxBytes: number
  /** The limit of one record of a CSV or JSONL file. */
  maxRecordBytes: number
  query: { purpose?: Purpose | undefined; filename?: string | undefined }
}

export type ReceivedUpload = StagedUpload & {
  filename: string
  purpose: Purpose
  format: FileFormat
  contentType: string
}

/** The byte limit of one uploaded file, from `MAX_UPLOAD_BYTES`. */
export const uploadLimit = (env: Env) => Number(env.MAX_UPLOAD_BYTES)

export async function receiveUpload(options: ReceiveUploadOptions): Promise<ReceivedUpload> {
  const { request, maxBytes } = options
  const multipart = mediaType(request.headers.get('Content-Type')) === 'multipart/form-data'
  const declared = Number(request.headers.get('Content-Length'))
  if (declared > maxBytes + (multipart ? MULTIPART_ENVELOPE_BYTES : 0)) throw errors.tooLarge(maxBytes)
  const received = multipart ? await receiveMultipart(options) : await receiveRaw(options)
  await requireFormatForPurpose(received)
  await requireData(received)
  return received
}

async function receiveRaw({ request, bucket, key, maxBytes, maxRecordBytes, query }: ReceiveUploadOptions) {
  const format = detectFormat(request.headers.get('Content-Type'), query.filename ?? null)
  if (!query.purpose) throw purposeError()
  const staged = await stageUpload({
    bucket,
    key,
    body: request.body ?? emptyStream(),
    format,
    maxBytes,
    maxRecordBytes,
  })
  return describe(staged, { filename: cleanFilename(query.filename, format), purpose: query.purpose, format })
}

async function receiveMultipart(options: ReceiveUploadOptions) {
  const { request, bucket, key, maxBytes, maxRecordBytes, query } = options
  const boundary = multipartBoundary(request.headers.get('Content-Type') ?? '')
  if (!boundary) throw errors.validation('The multipart/form-data Content-Type has no boundary.')
  // The file part is held to `maxBytes` exactly; this bounds everything around it.
  const envelope = createByteLimiter({
    maxBytes: maxBytes + MULTIPART_ENVELOPE_BYTES,
    onExceeded: () => errors.tooLarge(maxBytes),
  })
  const body = (request.body ?? emptyStream()).pipeThrough(envelope.stream)
  let purposeField: string | undefined
  let file: { staged: StagedUpload; filename: string; format: FileFormat } | undefined
  try {
    for await (const part of readMultipart(body, boundary)) {
      if (part.name === 'purpose') {
        purposeField = await readField(part.body)
        checkPurpose(purposeField)
      } else if (part.name === 'file') {
        if (file) throw errors.validation('Send one `file` part per request.')
        const format = detectFormat(part.contentType, part.filename)
        const staged = await stageUpload({ bucket, key, body: part.body, format, maxBytes, maxRecordBytes })
        file = { staged, format, filename: cleanFilename(part.filename, format) }
      }
    }
    if (!file) throw errors.validation('The multipart body has no `file` part.')
    // A purpose field sent after the file is only known now, once the file is in R2.
    const purpose = checkPurpose(purposeField ?? query.purpose)
    return describe(file.staged, { filename: file.filename, purpose, format: file.format })
  } catch (error) {
    await file?.staged.abort()
    throw error
  }
}

function describe(staged: StagedUpload, meta: { filename: string; purpose: Purpose; format: FileFormat }) {
  return { ...staged, ...meta, contentType: CONTENT_TYPE[meta.format] }
}

/** Batch files are CSV or JSON Lines, image files are images. */
async function requireFormatForPurpose(upload: ReceivedUpload) {
  if (isDataFormat(upload.format) === (upload.purpose === 'batch')) return
  await upload.abort()
  throw new AppError(
    'unsupported_media_type',
    415,
    upload.purpose === 'batch'
      ? 'Files with purpose `batch` must be CSV or JSON Lines.'
      : 'Files with purpose `image` must be PNG, JPEG, GIF or WebP.',
  )
}

async function requireData(upload: ReceivedUpload) {
  if (upload.bytes > 0 && upload.records > 0) return
  await upload.abort()
  if (upload.bytes === 0) throw errors.validation('The file is empty.')
  throw errors.validation(
    upload.format === 'csv'
      ? 'The file has no data records: a CSV needs a header row and at least one data row.'
      : 'The file has no data records: JSON Lines needs at least one non-empty line.',
  )
}

function checkPurpose(value: string | undefined): Purpose {
  const purpose = FILE_PURPOSES.find((known) => known === value)
  if (!purpose) throw purposeError()
  return purpose
}

const purposeError = () =>
  errors.validation(`\`purpose\` is required and must be one of: ${FILE_PURPOSES.join(', ')}.`, [
    { path: 'purpose', message: `Expected one of: ${FILE_PURPOSES.join(', ')}.` },
  ])

async function readField(body: ReadableStream<Uint8Array>): Promise<string> {
  let text = ''
  const decoder = new TextDecoder()
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true })
    if (text.length > MAX_FIELD_BYTES) throw errors.validation('A form field is longer than 1024 bytes.')
  }
  return (text + decoder.decode()).trim()
}

function emptyStream() {
  return new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
}
