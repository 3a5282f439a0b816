// HTTP shapes of outbound webhooks: endpoints, secret rotation and the delivery log.
import { z } from '@hono/zod-openapi'
import { DELIVERY_STATUSES, DELIVERY_TRIGGERS, WEBHOOK_KINDS } from '../db/schema'
import { listOf, requestObject, unixSeconds } from './common'

export const EVENT_TYPES = [
  'batch.created',
  'batch.progress',
  'batch.completed',
  'batch.failed',
  'batch.cancelled',
  'task.needs_review',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** The events that end a batch: all a Slack endpoint can take. */
export const BATCH_END_EVENTS = ['batch.completed', 'batch.failed', 'batch.cancelled'] as const

/** Sent only by `POST /v1/webhooks/{id}/test`, whatever the endpoint subscribes to. */
export const TEST_EVENT = 'webhook.test'

const events = z
  .array(z.enum(EVENT_TYPES))
  .min(1)
  .openapi({ description: 'Event types to deliver. Default: all (Slack: the three batch-end events).' })

export const webhookCreateSchema = requestObject({
  url: z.string().min(1).max(2048).openapi({ example: 'https://example.com/iabulk/events' }),
  kind: z
    .enum(WEBHOOK_KINDS)
    .default('standard')
    .openapi({ description: '`standard`: signed JSON events. `slack`: a Slack incoming-webhook URL.' }),
  events: events.optional(),
  description: z.string().max(500).optional(),
  enabled: z.boolean().default(true),
}).openapi('WebhookCreate')

export const webhookUpdateSchema = requestObject({
  url: z.string().min(1).max(2048).optional(),
  events: events.optional(),
  description: z.string().max(500).nullable().optional(),
  enabled: z.boolean().optional().openapi({ description: 'Enabling again clears the failure count.' }),
})
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change.')
  .openapi('WebhookUpdate')

export const webhookSchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_endpoint'),
    kind: z.enum(WEBHOOK_KINDS),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    disabled_reason: z
      .string()
      .nullable()
      .openapi({ description: '`gone` (answered 410), `failing`, `url_refused` or `manual`.' }),
    previous_secret_expires_at: unixSeconds
      .nullable()
      .openapi({ description: 'Until then, deliveries are signed with the previous secret too.' }),
    consecutive_failures: z.number().int(),
    failing_since: unixSeconds.nullable(),
    last_success_at: unixSeconds.nullable(),
    created_at: unixSeconds,
    updated_at: unixSeconds,
  })
  .openapi('WebhookEndpoint')

export const webhookWithSecretSchema = webhookSchema
  .extend({
    secret: z
      .string()
      .nullable()
      .openapi({ description: 'The `whsec_…` signing secret, shown only here. Null for Slack endpoints.' }),
  })
  .openapi('WebhookEndpointWithSecret')

export const webhookListSchema = listOf(webhookSchema, 'WebhookEndpointList')

export const rotateSecretSchema = requestObject({
  overlap_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86400)
    .default(86400)
    .openapi({ description: 'How long the old secret keeps signing too (default one day, at most 7).' }),
}).openapi('WebhookSecretRotation')

export const deliverySchema = z
  .object({
    id: z.string(),
    object: z.literal('webhook_delivery'),
    endpoint_id: z.string(),
    message_id: z.string().openapi({ description: 'The `webhook-id` header; the same on every attempt.' }),
    event_type: z.string(),
    attempt: z.number().int(),
    trigger: z.enum(DELIVERY_TRIGGERS),
    status: z.enum(DELIVERY_STATUSES),
    response_status: z.number().int().nullable(),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
    next_attempt_in: z.number().int().nullable().openapi({ description: 'Seconds until the retry, if any.' }),
    created_at: unixSeconds,
  })
  .openapi('WebhookDelivery')

export const deliveryListSchema = listOf(deliverySchema, 'WebhookDeliveryList')

export const deliveryParamsSchema = z.object({
  id: z.string().min(1).max(64),
  delivery_id: z.string().min(1).max(64),
})

export const redeliverySchema = z
  .object({ object: z.literal('webhook_redelivery'), endpoint_id: z.string(), message_id: z.string() })
  .openapi('WebhookRedelivery')
