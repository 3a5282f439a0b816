// Shapes every resource shares: the error envelope, list pages and cursors.
import { z } from '@hono/zod-openapi'

/**
 * The object of a request body: a field it does not know is refused with the known ones named, so
 * a typo (`avoid` for `avoid_words`) fails at the door instead of being silently ignored.
 */
export function requestObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; the known ones are ${known}.`
        : undefined,
  })
}

export const errorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string(),
      request_id: z.string().nullable(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error')

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size, 1–100.' }),
  after: z
    .string()
    .optional()
    .openapi({ description: 'Return items after this id (the previous page’s last_id).' }),
})

export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      object: z.literal('list'),
      data: z.array(item),
      first_id: z.string().nullable(),
      last_id: z.string().nullable(),
      has_more: z.boolean(),
    })
    .openapi(name)
}

/** Builds a list page from `limit + 1` rows fetched in id order. */
export function listPage<T extends { id: string }>(rows: T[], limit: number) {
  const data = rows.slice(0, limit)
  return {
    object: 'list' as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: rows.length > limit,
  }
}

export const idParamSchema = z.object({ id: z.string().min(1).max(64) })

export const unixSeconds = z.number().int().openapi({ description: 'Unix time in seconds.' })
