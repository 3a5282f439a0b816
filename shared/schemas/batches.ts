// HTTP shapes of batches.
import { z } from '@hono/zod-openapi'
import { BATCH_STATUSES } from '../db/schema'
import { listOf, listQuerySchema, requestObject, unixSeconds } from './common'

const metadata = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, 'metadata holds at most 16 keys')

const column = z.string().min(1).max(256)

/** Input field (or custom_id) ← the file column it is read from, or the columns joined into it. */
export const mappingSchema = z
  .record(z.string().min(1).max(64), z.union([column, z.array(column).min(1).max(10)]))
  .refine((mapping) => !Array.isArray(mapping.custom_id), {
    message: 'custom_id is read from one column.',
    path: ['custom_id'],
  })
  .openapi({
    description:
      'Input field ← file column, e.g. `{ "title": "Title", "custom_id": "Handle" }`; a list joins the non-blank values of several columns (`"features": ["Body (HTML)", "Tags"]`). Fields left out are read from the column of the same name, matched without regard to case, spaces, hyphens or underscores.',
  })

/** The fields of a batch request (also those of a preview, which adds `rows`). */
export const batchCreateShape = {
  task: z.string().min(1).openapi({ description: 'Task type from the catalogue, e.g. product_description.' }),
  params: z.record(z.string(), z.unknown()).default({}),
  model: z.string().min(1).max(200).optional(),
  metadata: metadata.optional(),
  items: z
    .array(z.object({ custom_id: z.string().min(1).max(256), input: z.record(z.string(), z.unknown()) }))
    .min(1)
    .optional(),
  input_file_id: z.string().optional(),
  mapping: mappingSchema.optional(),
  skip_blank: z.array(z.string().min(1).max(256)).min(1).max(10).optional().openapi({
    description:
      'File batches: rows blank in any of these columns are skipped, not run (e.g. `["Title"]` for a Shopify export\'s variant rows).',
  }),
  template: z
    .string()
    .min(1)
    .max(120)
    .optional()
    .openapi({ description: 'A custom template, `name` (latest version) or `name@version`.' }),
  cache: z.boolean().optional().openapi({
    description:
      'Reuse answers of identical earlier requests of the tenant and store new ones (default false for batches).',
  }),
}

/** Items or a file, not both: the refinement of a batch request and a preview alike. */
export const oneInput = [
  (body: { items?: unknown; input_file_id?: unknown }) =>
    (body.items === undefined) !== (body.input_file_id === undefined),
  { message: 'Send either items or input_file_id.', path: ['items'] },
] satisfies [unknown, { message: string; path: string[] }]

export const batchCreateSchema = requestObject(batchCreateShape)
  .refine(...oneInput)
  .openapi('BatchCreate')

export type BatchCreate = z.infer<typeof batchCreateSchema>

const errorSchema = z.object({ code: z.string(), message: z.string() })

export const batchSchema = z
  .object({
    id: z.string(),
    object: z.literal('batch'),
    status: z.enum(BATCH_STATUSES),
    task: z.string(),
    model: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.string()).nullable(),
    input_file_id: z.string().nullable(),
    mapping: mappingSchema.nullable(),
    skip_blank: z.array(z.string()).nullable(),
    template: z.string().nullable().openapi({ description: '`name@version` of the template used.' }),
    request_counts: z.object({
      total: z.number().int(),
      completed: z.number().int().openapi({ description: 'Tasks with an output, including needs_review.' }),
      failed: z.number().int(),
      needs_review: z.number().int(),
    }),
    usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
    cost_usd: z.number(),
    cache_hits: z.number().int(),
    error: errorSchema.nullable(),
    created_at: unixSeconds,
    started_at: unixSeconds.nullable(),
    finished_at: unixSeconds.nullable(),
  })
  .openapi('Batch')

export const batchListSchema = listOf(batchSchema, 'BatchList')

export const batchListQuerySchema = listQuerySchema.extend({ status: z.enum(BATCH_STATUSES).optional() })

/** Results laid out for the tool they are imported into (workers/batches/export-layouts.ts). */
export const EXPORT_LAYOUTS = ['shopify', 'google_ads'] as const
export type ExportLayout = (typeof EXPORT_LAYOUTS)[number]

export const resultsQuerySchema = z.object({
  format: z
    .enum(['jsonl', 'csv'])
    .optional()
    .openapi({ description: 'JSON Lines (the default) or CSV; a `layout` is CSV.' }),
  bom: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => value === 'true' || value === '1')
    .openapi({
      description: 'CSV only: start with a UTF-8 byte order mark, so Excel shows accents (`bom=1`).',
    }),
  layout: z.enum(EXPORT_LAYOUTS).optional().openapi({
    description:
      'A CSV laid out for import, succeeded tasks only: `shopify` (product_description → Body (HTML), seo_meta → SEO Title and SEO Description, by Handle) or `google_ads` (ad_copy → Google Ads Editor responsive search ads).',
  }),
  campaign: z.string().trim().min(1).max(255).optional().openapi({
    description: '`google_ads`: the campaign of rows whose file has no Campaign column.',
  }),
  ad_group: z.string().trim().min(1).max(255).optional().openapi({
    description:
      "`google_ads`: the ad group of rows whose file has no Ad group column (else the row's title).",
  }),
})

export const batchErrorSchema = z
  .object({ custom_id: z.string(), error: errorSchema })
  .openapi('BatchRowError')

export const batchErrorListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(batchErrorSchema),
    has_more: z.boolean(),
    last_id: z.string().nullable().openapi({ description: 'Pass as `after` for the next page.' }),
  })
  .openapi('BatchErrorList')

/** Fastest a client may ask an event stream to look for progress. */
export const EVENTS_MIN_INTERVAL_MS = 1000
/** Longest an event stream stays open; it then ends with a `reconnect` event. */
export const EVENTS_MAX_LIFETIME_SECONDS = 600

export const eventsQuerySchema = z.object({
  interval_ms: z.coerce
    .number()
    .int()
    .min(EVENTS_MIN_INTERVAL_MS)
    .max(60_000)
    .default(EVENTS_MIN_INTERVAL_MS)
    .openapi({
      description:
        'How often to look for progress while it changes; the stream backs off while nothing changes.',
    }),
  lifetime_seconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(EVENTS_MAX_LIFETIME_SECONDS)
    .default(EVENTS_MAX_LIFETIME_SECONDS)
    .openapi({
      description: 'When the server ends the stream with a `reconnect` event (at most 10 minutes).',
    }),
})
