// HTTP shapes of identity resources: sign-in, API keys, members, tenant settings, audit log.
import { z } from '@hono/zod-openapi'
import { ROLES } from '../db/schema'
import { listOf, requestObject, unixSeconds } from './common'

const SCOPES = ['read', 'write', 'admin'] as const
const email = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase())
const password = z.string().min(10, 'Passwords need at least 10 characters.').max(256)

export const signupSchema = requestObject({
  tenant_name: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(100),
  email,
  password,
}).openapi('SignupRequest')

export const signInSchema = requestObject({
  email,
  password: z.string().min(1).max(256),
  tenant_id: z
    .string()
    .optional()
    .openapi({ description: 'Needed when the user belongs to several tenants.' }),
}).openapi('SignInRequest')

export const refreshSchema = requestObject({ refresh_token: z.string().min(1) }).openapi('RefreshRequest')

export const verifyEmailSchema = requestObject({
  token: z.string().min(1).max(128).openapi({ description: 'The token from the mail.' }),
}).openapi('VerifyEmailRequest')

export const emailVerificationSchema = z
  .object({
    object: z.literal('email_verification'),
    email: z.string(),
    verified_at: unixSeconds.nullable().openapi({ description: 'Null until the token comes back.' }),
  })
  .openapi('EmailVerification')

export const tokenResponseSchema = z
  .object({
    token_type: z.literal('Bearer'),
    access_token: z.string(),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    tenant_id: z.string(),
  })
  .openapi('TokenResponse')

export const meSchema = z
  .object({
    object: z.literal('principal'),
    kind: z.enum(['api_key', 'user']),
    tenant: z.object({ id: z.string(), name: z.string(), plan: z.string() }),
    user: z.object({ id: z.string(), email: z.string(), role: z.enum(ROLES) }).nullable(),
    api_key_id: z.string().nullable(),
    scopes: z.array(z.enum(SCOPES)),
  })
  .openapi('Me')

export const apiKeySchema = z
  .object({
    id: z.string(),
    object: z.literal('api_key'),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    created_at: unixSeconds,
    expires_at: unixSeconds.nullable(),
    last_used_at: unixSeconds.nullable(),
    revoked_at: unixSeconds.nullable(),
  })
  .openapi('ApiKey')

export const apiKeyCreatedSchema = apiKeySchema
  .extend({ key: z.string().openapi({ description: 'The secret key. Shown only in this response.' }) })
  .openapi('ApiKeyCreated')

export const apiKeyCreateSchema = requestObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1).default(['read', 'write']),
  expires_in_days: z.number().int().min(1).max(3650).optional(),
}).openapi('ApiKeyCreate')

export const apiKeyListSchema = listOf(apiKeySchema, 'ApiKeyList')

export const memberSchema = z
  .object({
    object: z.literal('member'),
    user_id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    created_at: unixSeconds,
  })
  .openapi('Member')

export const memberListSchema = z
  .object({ object: z.literal('list'), data: z.array(memberSchema) })
  .openapi('MemberList')

export const invitationCreateSchema = requestObject({ email, role: z.enum(ROLES) }).openapi(
  'InvitationCreate',
)

export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const

export const invitationSchema = z
  .object({
    id: z.string(),
    object: z.literal('invitation'),
    email: z.string(),
    role: z.enum(ROLES),
    status: z.enum(INVITATION_STATUSES),
    invited_by: z.string(),
    expires_at: unixSeconds,
    accepted_at: unixSeconds.nullable(),
    accepted_by: z.string().nullable(),
    revoked_at: unixSeconds.nullable(),
    created_at: unixSeconds,
  })
  .openapi('Invitation')

export const invitationListSchema = listOf(invitationSchema, 'InvitationList')

export const invitationAcceptSchema = requestObject({
  token: z.string().min(1).max(128).openapi({ description: 'The token from the invitation mail.' }),
  email: email.openapi({ description: 'The invited address; the token works for it only.' }),
  password: z.string().min(1).max(256).optional().openapi({
    description:
      'An existing account: its password (or send its access token as the bearer instead). A new account: the password it will have, at least 10 characters.',
  }),
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'A new account’s name; the email when left out.' }),
}).openapi('InvitationAccept')

export const memberUpdateSchema = requestObject({ role: z.enum(ROLES) }).openapi('MemberUpdate')

export const userIdParamSchema = z.object({ user_id: z.string().min(1).max(64) })

export const tenantSchema = z
  .object({
    id: z.string(),
    object: z.literal('tenant'),
    name: z.string(),
    plan: z.object({
      id: z.string(),
      requests_per_window: z.number().int(),
      key_requests_per_window: z.number().int(),
      window_seconds: z.number().int(),
      max_concurrent_batches: z.number().int(),
      monthly_task_quota: z.number().int(),
    }),
    oidc: z.object({ issuer: z.string(), jwks_url: z.string(), audience: z.string().nullable() }).nullable(),
    created_at: unixSeconds,
  })
  .openapi('Tenant')

export const tenantUpdateSchema = requestObject({
  name: z.string().trim().min(1).max(100).optional(),
  oidc: z
    .object({
      issuer: z.url(),
      jwks_url: z.url({ protocol: /^https?$/ }),
      audience: z.string().min(1).max(200).optional(),
    })
    .nullable()
    .optional()
    .openapi({ description: 'An OpenID Connect issuer whose tokens sign members in; null removes it.' }),
}).openapi('TenantUpdate')

export const auditEntrySchema = z
  .object({
    id: z.string(),
    object: z.literal('audit_entry'),
    actor: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    request_id: z.string().nullable(),
    ip: z.string().nullable(),
    created_at: unixSeconds,
  })
  .openapi('AuditEntry')

export const auditListSchema = listOf(auditEntrySchema, 'AuditList')

export const passwordSchema = password
