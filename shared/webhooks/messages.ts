// What travels on the `webhooks` queue: an event to fan out to the tenant's endpoints, one
// endpoint's delivery of a stored message, or batches an inbound hook asked for.
import { z } from 'zod'

export const eventMessageSchema = z.object({
  kind: z.literal('event'),
  tenantId: z.string(),
  /** The `webhook-id` every endpoint receives for this event. */
  id: z.string(),
  type: z.string(),
  /** When the event happened (ISO 8601); attempts carry their own `webhook-timestamp`. */
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
})
export type EventMessage = z.infer<typeof eventMessageSchema>

export const deliveryMessageSchema = z.object({
  kind: z.literal('delivery'),
  tenantId: z.string(),
  endpointId: z.string(),
  messageId: z.string(),
  trigger: z.enum(['event', 'manual']),
})
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>

export const hookBatchSchema = z.object({
  task: z.string(),
  params: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.string()),
  items: z.array(z.object({ custom_id: z.string(), input: z.record(z.string(), z.unknown()) })).min(1),
})
export type HookBatch = z.infer<typeof hookBatchSchema>

export const hookWorkMessageSchema = z.object({
  kind: z.literal('hook_batches'),
  tenantId: z.string(),
  integrationId: z.string(),
  /** `{source}:{delivery id}`: with the task type, the Idempotency-Key of each batch. */
  receipt: z.string(),
  batches: z.array(hookBatchSchema).min(1),
})
export type HookWorkMessage = z.infer<typeof hookWorkMessageSchema>

export const webhooksQueueMessageSchema = z.discriminatedUnion('kind', [
  eventMessageSchema,
  deliveryMessageSchema,
  hookWorkMessageSchema,
])
export type WebhooksQueueMessage = z.infer<typeof webhooksQueueMessageSchema>
