// HTTP shapes of uploaded files: the file object, list and deletion answers, upload parameters.
import { z } from '@hono/zod-openapi'
import type { SchemaObject } from 'openapi3-ts/oas31'
import { FILE_FORMATS, FILE_PURPOSES } from '../db/schema'
import { DELIMITERS, SOURCE_ENCODINGS } from '../ingest/dialect'
import { listOf, unixSeconds } from './common'

export const filePurposeSchema = z.enum(FILE_PURPOSES).openapi({
  description: 'What the file is for; `batch` files are inputs to batches.',
})

export const fileSchema = z
  .object({
    id: z.string().openapi({ example: 'file_01jz3k4m5n6p7q8r9s0tvwxyz1' }),
    object: z.literal('file'),
    bytes: z.number().int().openapi({ description: 'Size of the stored file in bytes.' }),
    filename: z.string(),
    purpose: filePurposeSchema,
    created_at: unixSeconds,
    format: z.enum(FILE_FORMATS),
    records: z.number().int().openapi({
      description: 'Data records: CSV rows after the header row, or JSON Lines lines.',
    }),
    encoding: z.enum(SOURCE_ENCODINGS).nullable().openapi({
      description:
        'The text encoding the data file came in, found at upload (a byte order mark, else UTF-8 if every byte is, else Windows-1252) or given with `?encoding=`; null for images.',
    }),
    bom: z.boolean().openapi({ description: 'Whether the file began with a byte order mark.' }),
    delimiter: z.enum(DELIMITERS).nullable().openapi({
      description:
        "A CSV's delimiter, guessed from its first lines or given with `?delimiter=`; null otherwise.",
    }),
    sheet: z.string().nullable().openapi({
      description: 'For a CSV made from an uploaded XLSX workbook: the worksheet it was read from.',
    }),
  })
  .openapi('File')

export const fileListSchema = listOf(fileSchema, 'FileList')

export const fileDeletedSchema = z
  .object({ id: z.string(), object: z.literal('file'), deleted: z.literal(true) })
  .openapi('FileDeleted')

export const fileUploadQuerySchema = z.object({
  purpose: filePurposeSchema.optional().openapi({
    description: 'Required with a raw body; with multipart/form-data, send it as the `purpose` field.',
  }),
  filename: z.string().trim().min(1).max(255).optional().openapi({
    description: 'Name of a raw-body upload; defaults to `upload.csv` or `upload.jsonl`.',
  }),
  encoding: z.enum(SOURCE_ENCODINGS).optional().openapi({
    description:
      'The text encoding, when the guess would be wrong (e.g. a Latin-1 file that happens to be valid UTF-8).',
  }),
  delimiter: z
    .enum(['comma', 'semicolon', 'tab', 'pipe', ...DELIMITERS])
    .optional()
    .transform((value) => (value ? DELIMITER_BY_NAME[value] : undefined))
    .openapi({ description: "A CSV's delimiter, by name or as the character; guessed when left out." }),
  sheet: z.string().trim().min(1).max(100).optional().openapi({
    description: 'For an XLSX workbook: the worksheet to read; the first one by default.',
  }),
})

const DELIMITER_BY_NAME: Record<string, (typeof DELIMITERS)[number]> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  pipe: '|',
  ',': ',',
  ';': ';',
  '\t': '\t',
  '|': '|',
}

// Plain OpenAPI schemas rather than zod: a zod schema here would make the router parse (and
// so buffer) the body, which the files route streams instead.
const binary: SchemaObject = { type: 'string', format: 'binary' }

export const fileUploadContent: Record<string, { schema: SchemaObject }> = {
  'multipart/form-data': {
    schema: {
      type: 'object',
      required: ['file', 'purpose'],
      properties: {
        file: { ...binary, description: 'A .csv, .xlsx, .jsonl or .ndjson file.' },
        purpose: { type: 'string', enum: [...FILE_PURPOSES] },
      },
    },
  },
  'text/csv': { schema: binary },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: binary },
  'application/jsonl': { schema: binary },
  'application/x-ndjson': { schema: binary },
  'application/json-lines': { schema: binary },
}

export const fileContentTypes: Record<string, { schema: SchemaObject }> = {
  'text/csv': { schema: binary },
  'application/jsonl': { schema: binary },
}
