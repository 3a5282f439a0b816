// What a refused inbound hook costs: first a token from the client address's and the
// integration's budget of refusals (AccessThrottle; over budget → 429 and nothing written), then
// one audit row per (tenant, integration, reason, hour) whose `details.count` grows with each
// refusal, so a flood of bad signatures writes one row, not one row each. Hooks that pass their
// signature check never spend from these budgets, so a flood cannot lock out the real sender.
import { and, eq, sql } from 'drizzle-orm'
import type { Context } from 'hono'
import { db } from '../../shared/db/client'
import { auditLog, type Integration } from '../../shared/db/schema'
import { seededId } from '../../shared/ids'
import { auditContext } from '../api/request-context'
import { clientIp, enforceThrottle, ipSubject, THROTTLE_LIMITS } from '../security/throttle'

/** Refusals of one integration and reason within this long share one audit row. */
export const REJECTION_AUDIT_WINDOW_SECONDS = 3600

const utf8 = (text: string) => new TextEncoder().encode(text)

/**
 * Spends one refusal from the client address's budget and, when given, the integration's (or
 * platform hook's) budget; throws 429 once either is spent.
 */
export async function spendRejection(c: Context, hookSubject?: string): Promise<void> {
  const env: Env = c.env
  const message = 'Too many refused hook requests.'
  await enforceThrottle(env, ipSubject(clientIp(c)), [THROTTLE_LIMITS.rejectedHooksPerIp], message)
  if (hookSubject)
    await enforceThrottle(env, hookSubject, [THROTTLE_LIMITS.rejectedHooksPerIntegration], message)
}

export const hookSubject = (key: string) => `hook:${key}`

/** Counts a refusal in the integration's audit row of the current window, creating it if need be. */
export async function auditRejection(
  c: Context,
  options: { source: string; reason: string; integration: Integration },
): Promise<void> {
  const { source, reason, integration } = options
  const nowMs = Date.now()
  const windowMs = REJECTION_AUDIT_WINDOW_SECONDS * 1000
  const windowStart = nowMs - (nowMs % windowMs)
  const seed = new Uint8Array(
    await crypto.subtle.digest(
      'SHA-256',
      utf8(`hook.rejected|${integration.tenantId}|${integration.id}|${reason}|${windowStart}`),
    ),
  )
  const at = Math.floor(nowMs / 1000)
  await db(c.env.DB)
    .insert(auditLog)
    .values({
      id: seededId('aud', windowStart, seed),
      tenantId: integration.tenantId,
      actor: 'system',
      action: 'hook.rejected',
      target: integration.id,
      details: {
        source,
        reason,
        count: 1,
        window_start: Math.floor(windowStart / 1000),
        window_seconds: REJECTION_AUDIT_WINDOW_SECONDS,
        last_at: at,
      },
      ...auditContext(c),
    })
    .onConflictDoUpdate({
      target: auditLog.id,
      set: {
        details: sql`json_set(${auditLog.details}, '$.count', json_extract(${auditLog.details}, '$.count') + 1, '$.last_at', ${at})`,
        requestId: sql`excluded.request_id`,
        ip: sql`excluded.ip`,
      },
      setWhere: and(eq(auditLog.tenantId, integration.tenantId), eq(auditLog.action, 'hook.rejected')),
    })
}
