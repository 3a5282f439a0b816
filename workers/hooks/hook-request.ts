// What every inbound hook does with its request: read the raw bytes (signatures are checked on
// them before anything is parsed), parse JSON only after, and refuse a bad signature with 401
// and a stable code. A refusal spends from the client's and the integration's refusal budgets
// (429 once spent, and then nothing is recorded) and is counted in one audit row per window in
// the tenant the path names (Shopify, generic), or logged for the platform-wide hooks (Stripe,
// Slack), whose unverified bodies are never read to find a tenant.
import type { Context } from 'hono'
import type { Integration } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import type { VerifyFailure } from '../webhooks/standard-signature'
import { auditRejection, hookSubject, spendRejection } from './rejections'

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
  await spendRejection(c, hookSubject(integration?.id ?? source))
  if (integration) {
    await auditRejection(c, { source, reason, integration })
  } else {
    console.warn(
      JSON.stringify({ level: 'warn', hook: source, rejected: reason, request_id: c.get('requestId') }),
    )
  }
  throw new AppError(reason, 401, MESSAGES[reason])
}

/** 404 for a path naming no enabled integration; such probes spend the client's refusal budget. */
export async function unknownIntegration(c: Context): Promise<never> {
  await spendRejection(c)
  throw errors.notFound('Integration')
}

export function notConfigured(source: HookSource, setting: string): AppError {
  return new AppError(
    'hook_not_configured',
    503,
    `The ${source} hook is not set up on this deployment (${setting}).`,
  )
}
