// D1 tables of webhooks (outbound endpoints, messages, the delivery log) and integrations
// (inbound hooks and the receipts that deduplicate them). Part of the schema in schema.ts.
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { createdAt } from './columns'
import { tenants } from './schema'

export const WEBHOOK_KINDS = ['standard', 'slack'] as const
export type WebhookKind = (typeof WEBHOOK_KINDS)[number]

/** Where a tenant's events go: Standard Webhooks endpoints, or Slack incoming webhooks. */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    kind: text('kind', { enum: WEBHOOK_KINDS }).notNull(),
    url: text('url').notNull(),
    description: text('description'),
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    /** Why delivery stopped: `gone` (410), `failing` (repeated failures), `url_refused` or `manual`. */
    disabledReason: text('disabled_reason'),
    /** The `whsec_…` signing secret, AES-GCM encrypted; null for Slack endpoints. */
    secret: text('secret'),
    /** The secret before the last rotation, which also signs until previous_secret_expires_at. */
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: integer('previous_secret_expires_at'),
    /** Messages in a row whose every delivery attempt failed. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** When the current run of failed attempts began; null after a success. */
    failingSince: integer('failing_since'),
    lastSuccessAt: integer('last_success_at'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [index('webhook_endpoints_tenant').on(table.tenantId, table.id)],
)

/** One event as sent (`webhook-id` = id); the body is kept byte for byte for redelivery. */
export const webhookMessages = sqliteTable(
  'webhook_messages',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    type: text('type').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('webhook_messages_tenant_age').on(table.tenantId, table.createdAt)],
)

export const DELIVERY_TRIGGERS = ['event', 'manual', 'test'] as const
export const DELIVERY_STATUSES = ['succeeded', 'failed'] as const

/** The delivery log: one row per HTTP attempt. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    messageId: text('message_id')
      .notNull()
      .references(() => webhookMessages.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    attempt: integer('attempt').notNull(),
    trigger: text('trigger', { enum: DELIVERY_TRIGGERS }).notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull(),
    responseStatus: integer('response_status'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
    /** Seconds until the next attempt, when there is one. */
    nextAttemptIn: integer('next_attempt_in'),
    createdAt: createdAt(),
  },
  (table) => [index('webhook_deliveries_endpoint').on(table.tenantId, table.endpointId, table.id)],
)

export const INTEGRATION_KINDS = ['shopify', 'slack', 'generic'] as const
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number]

/** Inbound hooks a tenant set up: a Shopify shop, a Slack team, or a generic signed sender. */
export const integrations = sqliteTable(
  'integrations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    kind: text('kind', { enum: INTEGRATION_KINDS }).notNull(),
    name: text('name').notNull(),
    /** The Shopify shop domain or the Slack team id; null for generic hooks. */
    externalId: text('external_id'),
    /** The Shopify app secret or the generic hook's `whsec_…` secret, AES-GCM encrypted. */
    secret: text('secret'),
    config: text('config', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [
    index('integrations_tenant').on(table.tenantId, table.id),
    uniqueIndex('integrations_external').on(table.kind, table.externalId),
  ],
)

/** Inbound deliveries already accepted, so a replay or a sender's retry is not processed twice. */
export const inboundReceipts = sqliteTable(
  'inbound_receipts',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    source: text('source').notNull(),
    deliveryId: text('delivery_id').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.source, table.deliveryId] }),
    index('inbound_receipts_age').on(table.tenantId, table.source, table.receivedAt),
  ],
)

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect
export type Integration = typeof integrations.$inferSelect
