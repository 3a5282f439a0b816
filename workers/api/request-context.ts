// The request facts the audit log keeps, and the audit entry of an authenticated caller's action.
import type { Context } from 'hono'
import { db } from '../../shared/db/client'
import { type AuditEntry, recordAudit } from '../identity/audit'
import { actorId } from '../identity/principal'
import type { AppEnv } from './context'

/** The request facts every audit entry carries. */
export function auditContext(c: Context) {
  return { requestId: c.get('requestId'), ip: c.req.header('CF-Connecting-IP') ?? undefined }
}

/** Records an action of the authenticated caller in its tenant's audit log. */
export function recordCallerAudit(
  c: Context<AppEnv>,
  entry: Pick<AuditEntry, 'action' | 'target' | 'details'>,
): Promise<void> {
  const principal = c.get('principal')
  return recordAudit(db(c.env.DB), {
    tenantId: principal.tenantId,
    actor: actorId(principal),
    ...entry,
    ...auditContext(c),
  })
}
