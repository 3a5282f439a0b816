// Security-relevant actions, written to the tenant's audit log in D1.

import type { Database } from '../../shared/db/client'
import { auditLog } from '../../shared/db/schema'
import { newId } from '../../shared/ids'

export type AuditAction =
  | 'auth.signed_up'
  | 'auth.signed_in'
  | 'auth.sign_in_failed'
  | 'auth.account_locked'
  | 'auth.email_verified'
  | 'auth.signed_out'
  | 'auth.refresh_token_reused'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'api_key.narrowed'
  | 'member.added'
  | 'member.role_changed'
  | 'member.removed'
  | 'invitation.created'
  | 'invitation.revoked'
  | 'invitation.accepted'
  | 'tenant.updated'
  | 'tenant.plan_changed'
  | 'brand.updated'
  | 'template.saved'
  | 'template.deleted'
  | 'route.updated'
  | 'provider_key.stored'
  | 'provider_key.deleted'
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'webhook.disabled'
  | 'integration.created'
  | 'integration.updated'
  | 'integration.deleted'
  | 'hook.rejected'
  | 'hook.batch_refused'

export type AuditEntry = {
  tenantId: string
  actor: string
  action: AuditAction
  target?: string
  details?: Record<string, unknown>
  requestId?: string
  ip?: string
}

export async function recordAudit(database: Database, entry: AuditEntry): Promise<void> {
  await database.insert(auditLog).values({ id: newId('aud'), ...entry })
}
