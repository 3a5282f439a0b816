// Turns a POST /v1/files request into a staged R2 upload: either a raw CSV/JSONL body with
// purpose and filename in the query, or multipart/form-data with `purpose` and `file` parts.
// Both are streamed; neither is ever read whole into memory.
import { FILE_PURPOSES, type FileFormat, isDataFormat } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import type { Delimiter, SourceEncoding } from '../../shared/ingest/dialect'
import { createByteLimiter } from './byte-limit'
import { CONTENT_TYPE, cleanFilename, detectFormat, mediaType } from './format'
import { multipartBoundary, readMultipart } from './multipart'
import { type StagedUpload, stageUpload } from './stage-upload'
import type { DialectRequest } from './text-normalizer'
import { isXlsx, xlsxToCsv } from './xlsx-to-csv'

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
  query: {
    purpose?: Purpose | undefined
    filename?: string | undefined
    encoding?: SourceEncoding | undefined
    delimiter?: Delimiter | undefined
    sheet?: string | undefined
  }
}

export type ReceivedUpload = StagedUpload & {
  filename: string
  purpose: Purpose
  format: FileFormat
  contentType: string
  /** The worksheet an uploaded XLSX workbook was read from. */
  sheet: string | null
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
  const contentType = request.headers.get('Content-Type')
  if (!query.purpose) throw purposeError()
  const prepared = await prepareBody(request.body ?? emptyStream(), contentType, query.filename, query)
  const { format, sheet } = prepared
  const staged = await stageUpload({ bucket, key, ...prepared, maxBytes, maxRecordBytes })
  return describe(staged, {
    filename: cleanFilename(query.filename, format),
    purpose: query.purpose,
    format,
    sheet,
  })
}

/** What to store and how to read it: an XLSX workbook becomes the CSV of one of its sheets. */
async function prepareBody(
  body: ReadableStream<Uint8Array>,
  contentType: string | null,
  filename: string | null | undefined,
  query: ReceiveUploadOptions['query'],
): Promise<{
  body: ReadableStream<Uint8Array>
  format: FileFormat
  dialect: DialectRequest
  sheet: string | null
}> {
  if (isXlsx(contentType, filename)) {
    const { csv, sheet } = await xlsxToCsv(body, query.sheet)
    return { body: csv, format: 'csv', dialect: { encoding: 'utf-8', delimiter: ',' }, sheet }
  }
  if (query.sheet) throw errors.validation('`sheet` applies to XLSX workbooks only.')
  const format = detectFormat(contentType, filename ?? null)
  return { body, format, dialect: { encoding: query.encoding, delimiter: query.delimiter }, sheet: null }
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
  let file: { staged: StagedUpload; filename: string; format: FileFormat; sheet: string | null } | undefined
  try {
    for await (const part of readMultipart(body, boundary)) {
      if (part.name === 'purpose') {
        purposeField = await readField(part.body)
        checkPurpose(purposeField)
      } else if (part.name === 'file') {
        if (file) throw errors.validation('Send one `file` part per request.')
        const prepared = await prepareBody(part.body, part.contentType, part.filename, query)
        const { format, sheet } = prepared
        const staged = await stageUpload({ bucket, key, ...prepared, maxBytes, maxRecordBytes })
        file = { staged, format, sheet, filename: cleanFilename(part.filename, format) }
      }
    }
    if (!file) throw errors.validation('The multipart body has no `file` part.')
    // A purpose field sent after the file is only known now, once the file is in R2.
    const purpose = checkPurpose(purposeField ?? query.purpose)
    return describe(file.staged, { filename: file.filename, purpose, format: file.format, sheet: file.sheet })
  } catch (error) {
    await file?.staged.abort()
    throw error
  }
}

function describe(
  staged: StagedUpload,
  meta: { filename: string; purpose: Purpose; format: FileFormat; sheet: string | null },
) {
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
