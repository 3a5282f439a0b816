// The caller's tenant: its plan and its settings (name, OpenID Connect issuer).
import { eq } from 'drizzle-orm'
import { type Database, db } from '../../../shared/db/client'
import { plans, tenants } from '../../../shared/db/schema'
import { errors } from '../../../shared/errors'
import { assertUrl } from '../../../shared/net/url-guard'
import { tenantSchema, tenantUpdateSchema } from '../../../shared/schemas/identity'
import { createRouter, errorResponse, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

async function loadTenant(database: Database, tenantId: string) {
  const [row] = await database
    .select({ tenant: tenants, plan: plans })
    .from(tenants)
    .innerJoin(plans, eq(plans.id, tenants.planId))
    .where(eq(tenants.id, tenantId))
  if (!row) throw errors.notFound('Tenant')
  const { tenant, plan } = row
  return {
    id: tenant.id,
    object: 'tenant' as const,
    name: tenant.name,
    plan: {
      id: plan.id,
      requests_per_window: plan.tenantRequestsPerWindow,
      key_requests_per_window: plan.keyRequestsPerWindow,
      window_seconds: plan.windowSeconds,
      max_concurrent_batches: plan.maxConcurrentBatches,
      monthly_task_quota: plan.monthlyTaskQuota,
    },
    oidc:
      tenant.oidcIssuer && tenant.oidcJwksUrl
        ? { issuer: tenant.oidcIssuer, jwks_url: tenant.oidcJwksUrl, audience: tenant.oidcAudience }
        : null,
    created_at: tenant.createdAt,
  }
}

export const tenantRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Tenant'],
      summary: 'The caller’s tenant, its plan and settings',
      responses: { 200: json(tenantSchema, 'The tenant.') },
    }),
    async (c) => c.json(await loadTenant(db(c.env.DB), c.get('principal').tenantId), 200),
  )
  .openapi(
    protectedRoute('admin', {
      method: 'patch',
      path: '/',
      tags: ['Tenant'],
      summary: 'Rename the tenant or configure its OpenID Connect issuer',
      request: jsonBody(tenantUpdateSchema),
      responses: {
        200: json(tenantSchema, 'The updated tenant.'),
        400: errorResponse(
          'The issuer or JWKS URL is refused by the URL guard (`url_refused`: https, public hosts only), or the body is not valid.',
        ),
        409: errorResponse('Another tenant uses this issuer.'),
      },
    }),
    async (c) => {
      const principal = c.get('principal')
      const body = c.req.valid('json')
      const database = db(c.env.DB)
      const changes = {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.oidc === undefined
          ? {}
          : {
              oidcIssuer: body.oidc?.issuer ?? null,
              oidcJwksUrl: body.oidc?.jwks_url ?? null,
              oidcAudience: body.oidc?.audience ?? null,
            }),
      }
      if (body.oidc) {
        // The issuer is trusted to name members and its key set is fetched: both pass the URL guard.
        assertUrl(body.oidc.issuer, c.env, {
          code: 'url_refused',
          refusal: 'This OpenID Connect issuer cannot be used.',
          httpsOnly: true,
        })
        assertUrl(body.oidc.jwks_url, c.env, {
          code: 'url_refused',
          refusal: 'This JWKS URL cannot be used.',
          httpsOnly: true,
        })
        const holder = await database.query.tenants.findFirst({
          where: eq(tenants.oidcIssuer, body.oidc.issuer),
        })
        if (holder && holder.id !== principal.tenantId) {
          throw errors.conflict('Another tenant already uses this OpenID Connect issuer.')
        }
      }
      if (Object.keys(changes).length) {
        await database.update(tenants).set(changes).where(eq(tenants.id, principal.tenantId))
        await recordCallerAudit(c, { action: 'tenant.updated', details: { fields: Object.keys(body) } })
      }
      return c.json(await loadTenant(database, principal.tenantId), 200)
    },
  )
