import { db } from '../../../shared/db/client'
import { auditLog } from '../../../shared/db/schema'
import { selectPage } from '../../../shared/db/tenant-rows'
import { listPage, listQuerySchema } from '../../../shared/schemas/common'
import { auditListSchema } from '../../../shared/schemas/identity'
import { createRouter, json, protectedRoute } from '../openapi'

export const auditRoutes = createRouter().openapi(
  protectedRoute('admin', {
    method: 'get',
    path: '/',
    tags: ['Audit log'],
    summary: 'Security-relevant actions in the tenant, newest first',
    request: { query: listQuerySchema },
    responses: { 200: json(auditListSchema, 'A page of audit entries.') },
  }),
  async (c) => {
    const query = c.req.valid('query')
    const tenantId = c.get('principal').tenantId
    const rows = await selectPage(db(c.env.DB), auditLog, { tenantId, ...query })
    const entries = rows.map((row) => ({
      id: row.id,
      object: 'audit_entry' as const,
      actor: row.actor,
      action: row.action,
      target: row.target,
      details: row.details,
      request_id: row.requestId,
      ip: row.ip,
      created_at: row.createdAt,
    }))
    return c.json(listPage(entries, query.limit), 200)
  },
)
