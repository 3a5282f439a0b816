// HTTP shapes of the OpenAI-compatible surface (`/openai/v1`): request bodies as OpenAI's SDKs send
// them, validated to what we can run, and the objects we answer with, in OpenAI's own shapes.
import { z } from '@hono/zod-openapi'
import { unixSeconds } from './common'

export const CHAT_URL = '/v1/chat/completions'
export const EMBEDDINGS_URL = '/v1/embeddings'
export const OPENAI_ENDPOINTS = [CHAT_URL, EMBEDDINGS_URL] as const
export type OpenAIEndpoint = (typeof OPENAI_ENDPOINTS)[number]

const contentPartSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text'), text: z.string() }),
    z.object({
      type: z.literal('image_url'),
      image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
    }),
  ],
  { error: 'content parts must be text or image_url' },
)

const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant'], {
    error: 'role must be system, developer, user or assistant (tool messages are not supported)',
  }),
  content: z.union([z.string(), z.array(contentPartSchema).min(1)], {
    error: 'content must be a string or an array of text and image_url parts',
  }),
  name: z.string().optional(),
})

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
])

export const chatCompletionRequestSchema = z
  .object({
    model: z.string().min(1).max(200),
    messages: z.array(chatMessageSchema).min(1),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    response_format: responseFormatSchema.optional(),
    n: z.literal(1, { error: 'only n = 1 is supported' }).nullish(),
    stream: z
      .literal(false, { error: 'streaming is not supported: send stream: false or leave it out' })
      .nullish(),
    tools: z.array(z.unknown()).max(0, { error: 'tools are not supported' }).optional(),
  })
  .openapi('ChatCompletionRequest', {
    description: 'An OpenAI chat completion request; unknown fields (top_p, seed, user…) are ignored.',
  })
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>

export const embeddingRequestSchema = z
  .object({
    model: z.string().min(1).max(200),
    input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(2048)], {
      error: 'input must be a string or an array of up to 2048 strings (token arrays are not supported)',
    }),
    encoding_format: z.enum(['float', 'base64']).optional().openapi({
      description:
        '`base64`: little-endian float32s, as OpenAI’s SDKs ask for. Batch output lines are always floats.',
    }),
    dimensions: z.number().int().positive().max(4096).optional(),
  })
  .openapi('EmbeddingRequest')
export type EmbeddingRequest = z.infer<typeof embeddingRequestSchema>

/**
 * The input of the task behind `url`: the request body, given as it is (realtime calls, inline
 * items) or as a line of an OpenAI batch file, `{ method, url, body }` (custom_id already taken
 * off), whose url must be the task's endpoint. Either way the task gets the body.
 */
export function requestInputSchema<T extends z.ZodType>(url: OpenAIEndpoint, body: T) {
  const line = z.object({
    method: z.literal('POST', { error: 'method must be "POST"' }),
    url: z.literal(url, { error: `this batch's endpoint is ${url}; every line's url must be ${url}` }),
    body,
  })
  return z.unknown().transform((value, ctx): z.output<T> => {
    const isLine = typeof value === 'object' && value !== null && ('body' in value || 'url' in value)
    const parsed = isLine ? line.safeParse(value) : body.safeParse(value)
    if (parsed.success)
      return (isLine ? (parsed.data as { body: z.output<T> }).body : parsed.data) as z.output<T>
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path })
    return z.NEVER
  })
}

const metadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, 'metadata holds at most 16 keys')

export const openaiBatchCreateSchema = z
  .object({
    input_file_id: z.string().min(1).max(64),
    endpoint: z.enum(OPENAI_ENDPOINTS, {
      error: `endpoint must be ${OPENAI_ENDPOINTS.join(' or ')}`,
    }),
    completion_window: z.literal('24h', { error: 'completion_window must be "24h"' }),
    metadata: metadataSchema.nullish(),
  })
  .openapi('OpenAIBatchCreate')

export const openaiErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().openapi({ example: 'invalid_request_error' }),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .openapi('OpenAIError')

export const openaiFileSchema = z
  .object({
    id: z.string(),
    object: z.literal('file'),
    bytes: z.number().int().nullable().openapi({ description: 'null for batch output and error files.' }),
    created_at: unixSeconds,
    filename: z.string(),
    purpose: z.enum(['batch', 'batch_output']),
    status: z.literal('processed'),
  })
  .openapi('OpenAIFile')

const nullableTime = unixSeconds.nullable()

export const openaiBatchSchema = z
  .object({
    id: z.string(),
    object: z.literal('batch'),
    endpoint: z.enum(OPENAI_ENDPOINTS),
    model: z.string().nullable(),
    errors: z
      .object({
        object: z.literal('list'),
        data: z.array(z.object({ code: z.string(), message: z.string(), param: z.null(), line: z.null() })),
      })
      .nullable(),
    input_file_id: z.string().nullable(),
    completion_window: z.literal('24h'),
    status: z.enum([
      'validating',
      'in_progress',
      'finalizing',
      'completed',
      'failed',
      'cancelling',
      'cancelled',
      'expired',
    ]),
    output_file_id: z.string().nullable(),
    error_file_id: z.string().nullable(),
    created_at: unixSeconds,
    in_progress_at: nullableTime,
    expires_at: unixSeconds,
    finalizing_at: nullableTime,
    completed_at: nullableTime,
    failed_at: nullableTime,
    expired_at: nullableTime,
    cancelling_at: nullableTime,
    cancelled_at: nullableTime,
    request_counts: z.object({
      total: z.number().int(),
      completed: z.number().int(),
      failed: z.number().int(),
    }),
    usage: z.object({
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
      total_tokens: z.number().int(),
    }),
    metadata: z.record(z.string(), z.string()).nullable(),
  })
  .openapi('OpenAIBatch')

export const openaiBatchListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(openaiBatchSchema),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  })
  .openapi('OpenAIBatchList')

const usageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
})

export const chatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: unixSeconds,
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
        logprobs: z.null(),
        finish_reason: z.string(),
      }),
    ),
    usage: usageSchema,
  })
  .openapi('ChatCompletion')

export const embeddingListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({
        object: z.literal('embedding'),
        index: z.number().int(),
        embedding: z.union([z.array(z.number()), z.string()]),
      }),
    ),
    model: z.string(),
    usage: usageSchema.omit({ completion_tokens: true }),
  })
  .openapi('EmbeddingList')
