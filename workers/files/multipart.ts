// A streaming multipart/form-data parser (RFC 7578): yields each part with its body as a stream,
// so a file part of any size flows on to its destination without the body being buffered, as
// `Request.formData()` would do.
import { errors } from '../../shared/errors'
import { ByteReader } from './byte-reader'

export type MultipartPart = {
  name: string
  filename: string | null
  contentType: string | null
  /** Read it (or not) before asking for the next part; what is left unread is skipped. */
  body: ReadableStream<Uint8Array>
}

const MAX_HEADER_BYTES = 16 * 1024
const CRLF = new Uint8Array([13, 10])
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const malformed = (why: string) => errors.validation(`The multipart body is malformed: ${why}.`)

/** The boundary from a `multipart/form-data` Content-Type, or null if it has none. */
export function multipartBoundary(contentType: string): string | null {
  const match = contentType.match(/;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;]{1,70}))/i)
  return match?.[1] ?? match?.[2] ?? null
}

/** Parameters of a header value like `form-data; name="file"; filename="a.csv"`, keys lower-cased. */
export function headerParams(value: string): Record<string, string> {
  const params: Record<string, string> = {}
  // Only \" and \\ are unescaped: browsers send Windows paths with bare backslashes.
  for (const match of value.matchAll(/;\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    const raw = match[2] !== undefined ? match[2].replace(/\\(["\\])/g, '$1') : match[3]!.trim()
    params[match[1]!.toLowerCase()] = raw
  }
  const extended = params['filename*']?.match(/^utf-8'[^']*'(.+)$/i)
  if (extended?.[1]) {
    try {
      params.filename = decodeURIComponent(extended[1])
    } catch {
      // A badly encoded filename* falls back to the plain filename.
    }
  }
  return params
}

async function readHeaderLines(reader: ByteReader): Promise<string[]> {
  const lines: string[] = []
  let total = 0
  for (;;) {
    const line = await reader.readThrough(CRLF, MAX_HEADER_BYTES)
    if (line === null) throw malformed('a part’s headers are not terminated')
    if (line.length === 0) return lines
    total += line.length
    if (total > MAX_HEADER_BYTES) throw malformed('a part’s headers are too long')
    lines.push(decoder.decode(line))
  }
}

function parseHeaders(lines: string[]): Omit<MultipartPart, 'body'> {
  const headers = new Map<string, string>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const disposition = headers.get('content-disposition')
  if (!disposition?.toLowerCase().startsWith('form-data'))
    throw malformed('a part has no form-data disposition')
  const params = headerParams(disposition)
  if (params.name === undefined) throw malformed('a part has no name')
  return {
    name: params.name,
    filename: params.filename ?? null,
    contentType: headers.get('content-type') ?? null,
  }
}

/**
 * @example
 * for await (const part of readMultipart(request.body, boundary)) {
 *   if (part.name === 'file') await part.body.pipeTo(destination)
 * }
 */
export async function* readMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
): AsyncGenerator<MultipartPart> {
  const delimiter = encoder.encode(`\r\n--${boundary}`)
  // A leading CRLF lets the first boundary, which has none before it, match like the others.
  const reader = new ByteReader(body, CRLF)
  try {
    if ((await reader.readThrough(delimiter, MAX_HEADER_BYTES)) === null) throw malformed('no boundary found')
    for (;;) {
      const after = await reader.peek(2)
      if (after[0] === 45 && after[1] === 45) return // "--": the closing boundary
      // Transport padding may follow a boundary before its line break.
      if ((await reader.readThrough(CRLF, 256)) === null) throw malformed('a boundary line is not terminated')
      const part = parseHeaders(await readHeaderLines(reader))
      let finished = false
      const next = async () => {
        const read = await reader.readUntil(delimiter)
        if (read === null) throw malformed('the body ends inside a part')
        finished = read.found
        return read.bytes
      }
      yield {
        ...part,
        body: new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              while (!finished) {
                const bytes = await next()
                if (bytes.length > 0) return controller.enqueue(bytes)
              }
              controller.close()
            },
          },
          { highWaterMark: 0 },
        ),
      }
      while (!finished) await next()
    }
  } finally {
    await reader.cancel()
  }
}
