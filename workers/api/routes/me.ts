import { eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { tenants } from '../../../shared/db/schema'
import { meSchema } from '../../../shared/schemas/identity'
import { createRouter, json, protectedRoute } from '../openapi'

export const meRoutes = createRouter().openapi(
  protectedRoute('read', {
    method: 'get',
    path: '/',
    tags: ['Identity'],
    summary: 'Who the caller is: tenant, user and role, or API key and scopes',
    responses: { 200: json(meSchema, 'The caller.') },
  }),
  async (c) => {
    const principal = c.get('principal')
    const tenant = await db(c.env.DB).query.tenants.findFirst({ where: eq(tenants.id, principal.tenantId) })
    return c.json(
      {
        object: 'principal' as const,
        kind: principal.kind,
        tenant: { id: principal.tenantId, name: tenant?.name ?? '', plan: principal.plan.id },
        user:
          principal.kind === 'user'
            ? { id: principal.userId, email: principal.email, role: principal.role }
            : null,
        api_key_id: principal.kind === 'api_key' ? principal.keyId : null,
        scopes: principal.scopes,
      },
      200,
    )
  },
)
