// Inbound integrations of the caller's tenant: a Shopify shop, a Slack team, or a generic signed
// sender. Each answers with the hook URL to give the sender; a generic hook's secret is shown once.
import { type Database, db } from '../../../shared/db/client'
import { integrations } from '../../../shared/db/schema'
import { selectPage, tenantRow, updateTenantRow } from '../../../shared/db/tenant-rows'
import { errors } from '../../../shared/errors'
import { idParamSchema, listPage, listQuerySchema } from '../../../shared/schemas/common'
import {
  integrationCreateSchema,
  integrationListSchema,
  integrationSchema,
  integrationUpdateSchema,
  integrationWithSecretSchema,
} from '../../../shared/schemas/integrations'
import { presentIntegration } from '../../hooks/integration-store'
import { createIntegration, integrationChanges } from '../../hooks/integrations'
import { createRouter, errorResponse, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

const tags = ['Integrations']
const origin = (url: string) => new URL(url).origin

async function findIntegration(database: Database, tenantId: string, id: string) {
  const row = await database.query.integrations.findFirst({
    where: tenantRow(integrations, { id, tenantId }),
  })
  if (!row) throw errors.notFound('Integration')
  return row
}

export const integrationRoutes = createRouter()
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/',
      tags,
      summary: 'Set up an inbound integration (Shopify, Slack or generic)',
      request: jsonBody(integrationCreateSchema),
      responses: {
        201: json(integrationWithSecretSchema, 'The integration and its hook URL.'),
        409: errorResponse(
          'The shop or Slack team is already linked (`conflict`), or the plan’s integrations are all in use (`plan_limit_reached`).',
        ),
      },
    }),
    async (c) => {
      const { tenantId, plan } = c.get('principal')
      const { integration, secret } = await createIntegration(
        c.env,
        db(c.env.DB),
        { tenantId, maxIntegrations: plan.maxIntegrations },
        c.req.valid('json'),
      )
      await recordCallerAudit(c, {
        action: 'integration.created',
        target: integration.id,
        details: { kind: integration.kind, external_id: integration.externalId },
      })
      return c.json({ ...presentIntegration(integration, origin(c.req.url)), secret }, 201)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags,
      summary: 'List integrations (without secrets)',
      request: { query: listQuerySchema },
      responses: { 200: json(integrationListSchema, 'A page of integrations, newest first.') },
    }),
    async (c) => {
      const query = c.req.valid('query')
      const tenantId = c.get('principal').tenantId
      const rows = await selectPage(db(c.env.DB), integrations, { tenantId, ...query })
      const present = rows.map((row) => presentIntegration(row, origin(c.req.url)))
      return c.json(listPage(present, query.limit), 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}',
      tags,
      summary: 'An integration',
      request: { params: idParamSchema },
      responses: { 200: json(integrationSchema, 'The integration.') },
    }),
    async (c) => {
      const row = await findIntegration(db(c.env.DB), c.get('principal').tenantId, c.req.valid('param').id)
      return c.json(presentIntegration(row, origin(c.req.url)), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'patch',
      path: '/{id}',
      tags,
      summary: 'Rename, enable or disable, or change the rules, mapping or Shopify app secret',
      request: { params: idParamSchema, ...jsonBody(integrationUpdateSchema) },
      responses: { 200: json(integrationSchema, 'The integration after the change.') },
    }),
    async (c) => {
      const database = db(c.env.DB)
      const integration = await findIntegration(
        database,
        c.get('principal').tenantId,
        c.req.valid('param').id,
      )
      const changes = await integrationChanges(c.env, integration, c.req.valid('json'))
      const row = await updateTenantRow(database, integrations, integration, changes)
      await recordCallerAudit(c, {
        action: 'integration.updated',
        target: integration.id,
        details: { changed: Object.keys(c.req.valid('json')) },
      })
      return c.json(presentIntegration(row, origin(c.req.url)), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'delete',
      path: '/{id}',
      tags,
      summary: 'Remove an integration; its hook stops answering',
      request: { params: idParamSchema },
      responses: { 200: json(integrationSchema, 'The removed integration.') },
    }),
    async (c) => {
      const database = db(c.env.DB)
      const integration = await findIntegration(
        database,
        c.get('principal').tenantId,
        c.req.valid('param').id,
      )
      await database.delete(integrations).where(tenantRow(integrations, integration))
      await recordCallerAudit(c, {
        action: 'integration.deleted',
        target: integration.id,
        details: { kind: integration.kind },
      })
      return c.json(presentIntegration(integration, origin(c.req.url)), 200)
    },
  )
