// HTTP shapes of inbound integrations: a Shopify shop, a Slack team, or a generic signed sender,
// each with the rules that turn what it sends into work.
import { z } from '@hono/zod-openapi'
import { INTEGRATION_KINDS } from '../db/schema'
import { listOf, requestObject, unixSeconds } from './common'

export const SHOPIFY_TOPICS = ['products/create', 'products/update'] as const
export const SHOPIFY_TASKS = ['product_description', 'seo_meta'] as const

const taskParams = z.record(z.string(), z.unknown())

export const shopifyRulesSchema = z
  .object({
    topics: z
      .array(z.enum(SHOPIFY_TOPICS))
      .min(1)
      .default([...SHOPIFY_TOPICS]),
    tasks: z
      .array(z.enum(SHOPIFY_TASKS))
      .min(1)
      .default([...SHOPIFY_TASKS]),
    params: z
      .object({ product_description: taskParams.optional(), seo_meta: taskParams.optional() })
      .default({})
      .openapi({
        description: 'Params per task type, e.g. `{ "product_description": { "tone": "playful" } }`.',
      }),
  })
  .openapi('ShopifyRules')
export type ShopifyRules = z.infer<typeof shopifyRulesSchema>

export const genericMappingSchema = z
  .object({
    task: z.string().min(1).openapi({ example: 'product_description' }),
    params: taskParams.default({}),
    fields: z
      .record(z.string(), z.string().min(1).max(500))
      .refine((fields) => Object.keys(fields).length > 0, 'Map at least one input field.')
      .openapi({
        description:
          'Task input field → where it is in the JSON: a JSON pointer (`/product/name`) or a dot path (`product.name`).',
        example: { title: '/product/name', features: 'product.tags' },
      }),
    custom_id: z
      .string()
      .max(500)
      .optional()
      .openapi({ description: 'Where the item id is in the JSON; the `webhook-id` when not given.' }),
  })
  .openapi('GenericHookMapping')
export type GenericMapping = z.infer<typeof genericMappingSchema>

const name = z.string().trim().min(1).max(100)

export const integrationCreateSchema = z
  .discriminatedUnion('kind', [
    requestObject({
      kind: z.literal('shopify'),
      name: name.optional(),
      shop_domain: z
        .string()
        .toLowerCase()
        .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'Use the shop’s myshopify.com domain.'),
      app_secret: z.string().min(16).max(256).openapi({ description: 'The Shopify app’s client secret.' }),
      rules: shopifyRulesSchema.optional(),
    }),
    requestObject({
      kind: z.literal('slack'),
      name: name.optional(),
      team_id: z.string().regex(/^T[A-Z0-9]{2,20}$/, 'A Slack team id looks like T0123ABCD.'),
    }),
    requestObject({ kind: z.literal('generic'), name, mapping: genericMappingSchema }),
  ])
  .openapi('IntegrationCreate')
export type IntegrationCreate = z.infer<typeof integrationCreateSchema>

export const integrationUpdateSchema = requestObject({
  name: name.optional(),
  enabled: z.boolean().optional(),
  app_secret: z.string().min(16).max(256).optional().openapi({ description: 'Shopify only.' }),
  rules: shopifyRulesSchema.optional().openapi({ description: 'Shopify only.' }),
  mapping: genericMappingSchema.optional().openapi({ description: 'Generic hooks only.' }),
})
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change.')
  .openapi('IntegrationUpdate')
export type IntegrationUpdate = z.infer<typeof integrationUpdateSchema>

export const integrationSchema = z
  .object({
    id: z.string(),
    object: z.literal('integration'),
    kind: z.enum(INTEGRATION_KINDS),
    name: z.string(),
    enabled: z.boolean(),
    external_id: z
      .string()
      .nullable()
      .openapi({ description: 'The Shopify shop domain or the Slack team id.' }),
    config: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Shopify `rules` or the generic `mapping`.' }),
    hook_url: z.string().openapi({ description: 'Where the sender posts.' }),
    created_at: unixSeconds,
    updated_at: unixSeconds,
  })
  .openapi('Integration')

export const integrationWithSecretSchema = integrationSchema
  .extend({
    secret: z.string().nullable().openapi({
      description: 'Generic hooks: the `whsec_…` secret the sender signs with, shown only here.',
    }),
  })
  .openapi('IntegrationWithSecret')

export const integrationListSchema = listOf(integrationSchema, 'IntegrationList')

export const hookAckSchema = z
  .object({
    received: z.literal(true),
    duplicate: z
      .boolean()
      .openapi({ description: 'Already received (a retry or a replay); nothing was done again.' }),
    ignored: z.string().optional().openapi({ description: 'Why nothing was done, when nothing was.' }),
  })
  .openapi('HookAck')

export const slackCommandAnswerSchema = z
  .object({ response_type: z.literal('ephemeral'), text: z.string() })
  .openapi('SlackCommandAnswer')
