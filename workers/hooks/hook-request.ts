// What every inbound hook does with its request: read the raw bytes (signatures are checked on
// them before anything is parsed), parse JSON only after, and refuse a bad signature with 401
// and a stable code, recording nothing but one line: an audit entry in the tenant the path
// names (Shopify, generic), or a log line for the platform-wide hooks (Stripe, Slack), whose
// unverified bodies are never read to find a tenant.
import type { Context } from 'hono'
import { db } from '../../shared/db/client'
import type { Integration } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { auditContext } from '../api/request-context'
import { recordAudit } from '../identity/audit'
import type { VerifyFailure } from '../webhooks/standard-signature'

export type HookSource = 'shopify' | 'stripe' | 'slack' | 'generic'

const MESSAGES: Record<VerifyFailure, string> = {
  missing_signature: 'The request carries no signature.',
  invalid_signature: 'The signature does not match the request body.',
  stale_timestamp: 'The signed timestamp is outside the accepted window (5 minutes).',
}

/** The raw request bytes: every signature is checked on these, before anything is parsed. */
export async function readRawBody(c: Context): Promise<Uint8Array> {
  return new Uint8Array(await c.req.arrayBuffer())
}

/** The verified body as JSON; 400 when it is not. */
export function parseJsonBody(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body))
  } catch {
    throw errors.validation('The body is not JSON.')
  }
}

export async function rejectHook(
  c: Context,
  options: { source: HookSource; reason: VerifyFailure; integration?: Integration },
): Promise<never> {
  const { source, reason, integration } = options
  if (integration) {
    await recordAudit(db(c.env.DB), {
      tenantId: integration.tenantId,
      actor: 'system',
      action: 'hook.rejected',
      target: integration.id,
      details: { source, reason },
      ...auditContext(c),
    })
  } else {
    console.warn(
      JSON.stringify({ level: 'warn', hook: source, rejected: reason, request_id: c.get('requestId') }),
    )
  }
  throw new AppError(reason, 401, MESSAGES[reason])
}

export function notConfigured(source: HookSource, setting: string): AppError {
  return new AppError(
    'hook_not_configured',
    503,
    `The ${source} hook is not set up on this deployment (${setting}).`,
  )
}
