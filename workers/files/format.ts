// What an upload is: its format from the content type or, failing that, the filename extension;
// a filename safe to store and to send back in a Content-Disposition header.
import type { FileFormat } from '../../shared/db/schema'
import { AppError } from '../../shared/errors'

const FORMAT_BY_MEDIA_TYPE: Record<string, FileFormat> = {
  'text/csv': 'csv',
  'application/jsonl': 'jsonl',
  'application/x-ndjson': 'jsonl',
  'application/json-lines': 'jsonl',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
}

const FORMAT_BY_EXTENSION: Record<string, FileFormat> = {
  csv: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  gif: 'gif',
  webp: 'webp',
}

/** The content type stored with the object and sent back on download. */
export const CONTENT_TYPE: Record<FileFormat, string> = {
  csv: 'text/csv',
  jsonl: 'application/jsonl',
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
}

export const ACCEPTED =
  'CSV (text/csv, .csv; any delimiter of , ; tab |, in UTF-8, UTF-16 or Windows-1252), an XLSX workbook (.xlsx) ' +
  'or JSON Lines (application/jsonl, application/x-ndjson, application/json-lines, ' +
  '.jsonl, .ndjson) for purpose `batch`; PNG, JPEG, GIF or WebP for purpose `image`; as the raw body or as ' +
  'the `file` part of multipart/form-data'

export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

/** The format of an upload, or a 415 naming what is accepted. */
export function detectFormat(contentType: string | null | undefined, filename: string | null): FileFormat {
  const byType = FORMAT_BY_MEDIA_TYPE[mediaType(contentType)]
  if (byType) return byType
  const extension = filename?.match(/\.([a-z0-9]+)$/i)?.[1]?.toLowerCase()
  const byExtension = extension ? FORMAT_BY_EXTENSION[extension] : undefined
  if (byExtension) return byExtension
  throw new AppError(
    'unsupported_media_type',
    415,
    `Unsupported file type${contentType ? ` "${mediaType(contentType)}"` : ''}. Upload ${ACCEPTED}.`,
    {
      accepted_content_types: Object.keys(FORMAT_BY_MEDIA_TYPE),
      accepted_extensions: Object.keys(FORMAT_BY_EXTENSION).map((extension) => `.${extension}`),
    },
  )
}

/** Drops any client path (browsers on Windows may send one) and control characters; caps the length. */
export function cleanFilename(name: string | null | undefined, format: FileFormat): string {
  const base = (name ?? '').split(/[\\/]/).pop()!
  const clean = Array.from(base)
    .filter((ch) => ch >= ' ' && ch !== '\x7f')
    .join('')
    .trim()
    .slice(0, 255)
  return clean || `upload.${format}`
}

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266). */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_')
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
