// Inbound integrations of the caller's tenant: a Shopify shop, a Slack team, or a generic signed
// sender. Each answers with the hook URL to give the sender; a generic hook's secret is shown once.
import { and, desc, eq, lt } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { integrations } from '../../../shared/db/schema'
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
import { recordAudit } from '../../identity/audit'
import { actorId } from '../../identity/principal'
import { createRouter, errorResponse, json, jsonBody, protectedRoute } from '../openapi'
import { auditContext } from '../request-context'

const tags = ['Integrations']
const origin = (url: string) => new URL(url).origin

async function findIntegration(database: ReturnType<typeof db>, tenantId: string, id: string) {
  const row = await database.query.integrations.findFirst({
    where: and(eq(integrations.id, id), eq(integrations.tenantId, tenantId)),
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
        409: errorResponse('The shop or Slack team is already linked.'),
      },
    }),
    async (c) => {
      const principal = c.get('principal')
      const database = db(c.env.DB)
      const { integration, secret } = await createIntegration(
        c.env,
        database,
        principal.tenantId,
        c.req.valid('json'),
      )
      await recordAudit(database, {
        tenantId: principal.tenantId,
        actor: actorId(principal),
        action: 'integration.created',
        target: integration.id,
        details: { kind: integration.kind, external_id: integration.externalId },
        ...auditContext(c),
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
      const { limit, after } = c.req.valid('query')
      const rows = await db(c.env.DB)
        .select()
        .from(integrations)
        .where(
          and(
            eq(integrations.tenantId, c.get('principal').tenantId),
            after ? lt(integrations.id, after) : undefined,
          ),
        )
        .orderBy(desc(integrations.id))
        .limit(limit + 1)
      const present = rows.map((row) => presentIntegration(row, origin(c.req.url)))
      return c.json(listPage(present, limit), 200)
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
      const principal = c.get('principal')
      const database = db(c.env.DB)
      const integration = await findIntegration(database, principal.tenantId, c.req.valid('param').id)
      const changes = await integrationChanges(c.env, integration, c.req.valid('json'))
      const [row] = await database
        .update(integrations)
        .set(changes)
        .where(and(eq(integrations.id, integration.id), eq(integrations.tenantId, principal.tenantId)))
        .returning()
      await recordAudit(database, {
        tenantId: principal.tenantId,
        actor: actorId(principal),
        action: 'integration.updated',
        target: integration.id,
        details: { changed: Object.keys(c.req.valid('json')) },
        ...auditContext(c),
      })
      return c.json(presentIntegration(row!, origin(c.req.url)), 200)
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
      const principal = c.get('principal')
      const database = db(c.env.DB)
      const integration = await findIntegration(database, principal.tenantId, c.req.valid('param').id)
      await database
        .delete(integrations)
        .where(and(eq(integrations.id, integration.id), eq(integrations.tenantId, principal.tenantId)))
      await recordAudit(database, {
        tenantId: principal.tenantId,
        actor: actorId(principal),
        action: 'integration.deleted',
        target: integration.id,
        details: { kind: integration.kind },
        ...auditContext(c),
      })
      return c.json(presentIntegration(integration, origin(c.req.url)), 200)
    },
  )
