// D1 schema (metadata only: task-level state lives in each batch's Durable Object).
// Times are unix seconds. Every tenant-owned table carries tenant_id, and every query filters on it.
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import type { BatchError } from '../error-codes'
import { DELIMITERS, type Dialect, SOURCE_ENCODINGS, storedEncoding } from '../ingest/dialect'
import type { Mapping } from '../ingest/rows'
import { createdAt } from './columns'

export const plans = sqliteTable('plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Requests a whole tenant may make per window. */
  tenantRequestsPerWindow: integer('tenant_requests_per_window').notNull(),
  /** Requests one API key (or one signed-in user) may make per window. */
  keyRequestsPerWindow: integer('key_requests_per_window').notNull(),
  windowSeconds: integer('window_seconds').notNull(),
  maxConcurrentBatches: integer('max_concurrent_batches').notNull(),
  monthlyTaskQuota: integer('monthly_task_quota').notNull(),
  /** Tasks of one tenant being executed at once, shared fairly between its running batches. */
  maxConcurrentTasks: integer('max_concurrent_tasks').notNull(),
  /** Outbound webhook endpoints a tenant may register (each event is one POST per endpoint). */
  maxWebhookEndpoints: integer('max_webhook_endpoints').notNull().default(10),
  /** Inbound integrations a tenant may register. */
  maxIntegrations: integer('max_integrations').notNull().default(10),
  /** Live event streams (SSE) a tenant may hold open at once. */
  maxOpenStreams: integer('max_open_streams').notNull().default(10),
})

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  planId: text('plan_id')
    .notNull()
    .references(() => plans.id),
  oidcIssuer: text('oidc_issuer').unique(),
  oidcJwksUrl: text('oidc_jwks_url'),
  oidcAudience: text('oidc_audience'),
  createdAt: createdAt(),
})

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  /** Null for users who only sign in through their tenant's OpenID Connect issuer. */
  passwordHash: text('password_hash'),
  /** When the user proved they read this address; a tenant runs no batches until its owner has. */
  emailVerifiedAt: integer('email_verified_at'),
  createdAt: createdAt(),
})

export const USER_TOKEN_PURPOSES = ['email_verification'] as const
export type UserTokenPurpose = (typeof USER_TOKEN_PURPOSES)[number]

/** Single-use, expiring tokens sent to a user's address; only their SHA-256 is kept. */
export const userTokens = sqliteTable(
  'user_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    purpose: text('purpose', { enum: USER_TOKEN_PURPOSES }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    createdAt: createdAt(),
  },
  (table) => [index('user_tokens_user').on(table.userId, table.purpose)],
)

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const
export type Role = (typeof ROLES)[number]

export const memberships = sqliteTable(
  'memberships',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.userId] }),
    index('memberships_user').on(table.userId),
  ],
)

/**
 * An admin's invitation of an email address to the tenant with a role. The invitee accepts with
 * the single-use token (only its SHA-256 is kept); nobody is added to a tenant without accepting.
 */
export const invitations = sqliteTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    email: text('email').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: text('invited_by').notNull(),
    expiresAt: integer('expires_at').notNull(),
    acceptedAt: integer('accepted_at'),
    acceptedBy: text('accepted_by'),
    revokedAt: integer('revoked_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('invitations_tenant').on(table.tenantId, table.id),
    index('invitations_tenant_email').on(table.tenantId, table.email),
  ],
)

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    name: text('name').notNull(),
    /** The first characters of the key, shown in listings so people can tell keys apart. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    createdBy: text('created_by'),
    expiresAt: integer('expires_at'),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
    createdAt: createdAt(),
  },
  (table) => [index('api_keys_tenant').on(table.tenantId, table.id)],
)

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    /**
     * Every token rotated from one sign-in shares its family; reusing a spent token revokes the
     * family. Null only for tokens issued before families existed (each is then its own family).
     */
    familyId: text('family_id'),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    createdAt: createdAt(),
  },
  (table) => [
    index('refresh_tokens_user').on(table.tenantId, table.userId),
    index('refresh_tokens_family').on(table.familyId),
  ],
)

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** Who acted: a user id, an API key id, or "system". */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    requestId: text('request_id'),
    ip: text('ip'),
    createdAt: createdAt(),
  },
  (table) => [index('audit_log_tenant').on(table.tenantId, table.id)],
)

export type Plan = typeof plans.$inferSelect
export type Tenant = typeof tenants.$inferSelect
export type User = typeof users.$inferSelect
export type ApiKey = typeof apiKeys.$inferSelect

export const FILE_PURPOSES = ['batch', 'image'] as const
export const FILE_FORMATS = ['csv', 'jsonl', 'png', 'jpeg', 'gif', 'webp'] as const
export type FileFormat = (typeof FILE_FORMATS)[number]
export type DataFormat = 'csv' | 'jsonl'

/** How the stored bytes of a data file are read. */
export function dialectOf(file: Pick<FileRow, 'encoding' | 'delimiter'>): Dialect {
  return { encoding: storedEncoding(file.encoding), delimiter: file.delimiter ?? ',' }
}

/** Batch input files are CSV or JSON Lines; images are read by image tasks. */
export function isDataFormat(format: FileFormat): format is DataFormat {
  return format === 'csv' || format === 'jsonl'
}

export const files = sqliteTable(
  'files',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    filename: text('filename').notNull(),
    purpose: text('purpose', { enum: FILE_PURPOSES }).notNull(),
    format: text('format', { enum: FILE_FORMATS }).notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    /** Data records (CSV rows after the header, or JSONL lines), counted while uploading. */
    records: integer('records').notNull(),
    /** The text encoding the data file came in (UTF-16 is stored as UTF-8), found or given at upload. */
    encoding: text('encoding', { enum: SOURCE_ENCODINGS }).notNull().default('utf-8'),
    /** Whether it began with a byte order mark (dropped when read). */
    bom: integer('bom', { mode: 'boolean' }).notNull().default(false),
    /** A CSV's delimiter, found or given at upload; null for other formats. */
    delimiter: text('delimiter', { enum: DELIMITERS }),
    /** The worksheet a CSV was made from, when an XLSX workbook was uploaded. */
    sheet: text('sheet'),
    /** Always `uploads/{tenant_id}/{file_id}`. */
    r2Key: text('r2_key').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('files_tenant').on(table.tenantId, table.id)],
)

export const BATCH_STATUSES = [
  'validating',
  'in_progress',
  'paused',
  'finalizing',
  'completed',
  'failed',
  'cancelling',
  'cancelled',
  'expired',
] as const
export type BatchStatus = (typeof BATCH_STATUSES)[number]

/** Statuses a batch does not leave (but for a retry of a completed or cancelled one). */
export const FINISHED_STATUSES: readonly BatchStatus[] = ['completed', 'failed', 'cancelled', 'expired']

export function isFinished(status: BatchStatus): boolean {
  return FINISHED_STATUSES.includes(status)
}

export type Usage = { input_tokens: number; output_tokens: number }

export const batches = sqliteTable(
  'batches',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    status: text('status', { enum: BATCH_STATUSES }).notNull(),
    task: text('task').notNull(),
    model: text('model'),
    params: text('params', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>(),
    inputFileId: text('input_file_id'),
    mapping: text('mapping', { mode: 'json' }).$type<Mapping>(),
    /** Rows blank in any of these columns are skipped. */
    skipBlank: text('skip_blank', { mode: 'json' }).$type<string[]>(),
    total: integer('total').notNull().default(0),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    /** Completed tasks whose output still breaks a constraint after regeneration. */
    needsReview: integer('needs_review').notNull().default(0),
    /** `name@version` of the custom template the batch renders, if any. */
    template: text('template'),
    cacheHits: integer('cache_hits').notNull().default(0),
    usage: text('usage', { mode: 'json' }).$type<Usage>(),
    costUsd: real('cost_usd').notNull().default(0),
    /** Why the whole batch failed, when it did. */
    error: text('error', { mode: 'json' }).$type<BatchError>(),
    createdAt: createdAt(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (table) => [
    index('batches_tenant').on(table.tenantId, table.id),
    index('batches_tenant_status').on(table.tenantId, table.status),
  ],
)

export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    tenantId: text('tenant_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the method, path and body, so a reused key with another request is refused. */
    requestHash: text('request_hash').notNull(),
    resourceId: text('resource_id').notNull(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.key] })],
)

export type FileRow = typeof files.$inferSelect
export type BatchRow = typeof batches.$inferSelect

/** A tenant's voice, carried in every prompt of theirs. */
export const brandProfiles = sqliteTable('brand_profiles', {
  tenantId: text('tenant_id')
    .primaryKey()
    .references(() => tenants.id),
  voice: text('voice'),
  audience: text('audience'),
  language: text('language'),
  avoidWords: text('avoid_words', { mode: 'json' }).$type<string[]>().notNull(),
  updatedAt: integer('updated_at').notNull(),
})

/** Custom prompt templates; every save of a name makes a new version, old versions stay usable. */
export const templates = sqliteTable(
  'templates',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    /** The catalogue task whose output shape and constraints the template keeps. */
    task: text('task').notNull(),
    system: text('system'),
    body: text('body').notNull(),
    variables: text('variables', { mode: 'json' }).$type<string[]>().notNull(),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('templates_tenant_name_version').on(table.tenantId, table.name, table.version)],
)

export type ProviderTarget = { provider: string; model: string }

/** A tenant's own route for a task type: provider/model targets tried in order. */
export const routeOverrides = sqliteTable(
  'route_overrides',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    task: text('task').notNull(),
    targets: text('targets', { mode: 'json' }).$type<ProviderTarget[]>().notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.task] })],
)

/** Provider API keys a tenant brings, AES-GCM encrypted with ENCRYPTION_KEY; never returned. */
export const providerKeys = sqliteTable(
  'provider_keys',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    provider: text('provider').notNull(),
    ciphertext: text('ciphertext').notNull(),
    baseUrl: text('base_url'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.provider] })],
)

/** Usage and cost per tenant per calendar month (UTC), from batches and realtime calls. */
export const tenantUsage = sqliteTable(
  'tenant_usage',
  {
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** `YYYY-MM` */
    month: text('month').notNull(),
    tasks: integer('tasks').notNull().default(0),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
    cacheHits: integer('cache_hits').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.month] })],
)

export type BrandProfile = typeof brandProfiles.$inferSelect
export type TemplateRow = typeof templates.$inferSelect

export * from './schema-webhooks'
