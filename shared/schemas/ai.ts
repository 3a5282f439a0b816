// HTTP shapes of the AI settings (brand voice, templates, routes, provider keys) and of
// realtime generation, previews, estimates and usage.
import { z } from '@hono/zod-openapi'
import { batchCreateShape, oneInput } from './batches'
import { requestObject, unixSeconds } from './common'

export const brandSchema = z
  .object({
    voice: z.string().max(500).nullable().openapi({ example: 'warm, confident, no jargon' }),
    audience: z.string().max(500).nullable(),
    language: z.string().max(50).nullable().openapi({ example: 'British English' }),
    avoid_words: z.array(z.string().min(1).max(100)).max(200),
    updated_at: unixSeconds.nullable(),
  })
  .openapi('Brand')

export const brandUpdateSchema = requestObject({
  voice: z.string().max(500).nullable().optional(),
  audience: z.string().max(500).nullable().optional(),
  language: z.string().max(50).nullable().optional(),
  avoid_words: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
}).openapi('BrandUpdate')

const templateName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'use 1–80 lowercase letters, digits, - or _')

export const templateCreateSchema = requestObject({
  name: templateName,
  task: z
    .string()
    .min(1)
    .openapi({ description: 'The catalogue task whose output and limits the template keeps.' }),
  body: z.string().min(1).max(20_000).openapi({
    description: 'The user message, with `{{column}}` variables.',
    example: 'Write about {{title}} made of {{material}}.',
  }),
  system: z.string().max(5_000).nullable().optional().openapi({ description: 'Extra instructions.' }),
}).openapi('TemplateCreate')

export const templateSchema = z
  .object({
    id: z.string(),
    object: z.literal('template'),
    name: z.string(),
    version: z.number().int(),
    task: z.string(),
    body: z.string(),
    system: z.string().nullable(),
    variables: z.array(z.string()),
    created_at: unixSeconds,
  })
  .openapi('Template')

export const templateListSchema = z
  .object({ object: z.literal('list'), data: z.array(templateSchema) })
  .openapi('TemplateList')

export const templateNameParamSchema = z.object({ name: templateName })

export const targetSchema = z.object({
  provider: z.enum(['workers-ai', 'openai', 'anthropic', 'simulated']),
  model: z.string().min(1).max(200),
})

export const routeSchema = z
  .object({
    task: z.string(),
    targets: z.array(targetSchema),
    source: z.enum(['tenant', 'default']),
  })
  .openapi('Route')

export const routeUpdateSchema = requestObject({ targets: z.array(targetSchema).min(1).max(5) }).openapi(
  'RouteUpdate',
)

export const providerKeyUpdateSchema = requestObject({
  api_key: z.string().min(1).max(500),
  base_url: z.string().url().max(500).nullable().optional().openapi({
    description: 'For OpenAI-compatible servers (Groq, vLLM, Ollama…); default is the provider’s own.',
  }),
}).openapi('ProviderKeyUpdate')

export const providerKeySchema = z
  .object({
    provider: z.enum(['openai', 'anthropic']),
    base_url: z.string().nullable(),
    created_at: unixSeconds,
    updated_at: unixSeconds,
  })
  .openapi('ProviderKey', { description: 'A stored key; the key itself is never returned.' })

export const providerParamSchema = z.object({ provider: z.enum(['openai', 'anthropic']) })

export const generateSchema = requestObject({
  task: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  params: z.record(z.string(), z.unknown()).default({}),
  model: z.string().min(1).max(200).optional(),
  template: z.string().min(1).max(120).optional(),
  cache: z.boolean().optional(),
}).openapi('GenerateRequest')

const usageSchema = z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() })

export const generationSchema = z
  .object({
    status: z.enum(['succeeded', 'needs_review', 'failed']),
    output: z.unknown().optional(),
    violations: z.array(z.string()).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    usage: usageSchema,
    cost_usd: z.number(),
    cached: z.boolean(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
  })
  .openapi('Generation')

export const previewRequestSchema = requestObject({
  ...batchCreateShape,
  rows: z.number().int().min(1).max(20).default(5),
})
  .refine(...oneInput)
  .openapi('PreviewRequest')

export const previewSchema = z
  .object({
    rows: z.array(generationSchema.extend({ custom_id: z.string() })),
    usage: usageSchema,
    cost_usd: z.number(),
  })
  .openapi('Preview')

export const estimateSchema = z
  .object({
    tasks: z.number().int(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_usd: z.number(),
    provider: z.string(),
    model: z.string(),
    basis: z
      .enum(['all_rows', 'sampled_rows'])
      .openapi({ description: 'Whether every row was measured or a sample.' }),
    priced: z
      .boolean()
      .openapi({ description: 'False when the model has no listed price (cost shown as 0).' }),
    runnable_tasks: z.number().int().openapi({
      description:
        "Tasks expected to run: the batch's rows times the share of sampled rows that are valid. Only these are priced.",
    }),
    sampled_rows: z.number().int().openapi({ description: 'Rows read to make the estimate.' }),
    invalid_rows: z.number().int().openapi({ description: 'Sampled rows that would fail for their input.' }),
    invalid_examples: z.array(z.object({ custom_id: z.string().nullable(), message: z.string() })).openapi({
      description: 'The first invalid sampled rows and why (the column missing, the columns the row has).',
    }),
  })
  .openapi('Estimate')

export const usageMonthSchema = z
  .object({
    month: z.string().openapi({ example: '2026-11' }),
    tasks: z.number().int(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_usd: z.number(),
    cache_hits: z.number().int(),
  })
  .openapi('UsageMonth')
