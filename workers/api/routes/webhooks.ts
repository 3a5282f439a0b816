// Webhook endpoints of the caller's tenant: create (secret shown once; at most the plan's
// `max_webhook_endpoints`, one per URL), list, get, change, delete, and rotate the signing
// secret with an overlap.
import { db } from '../../../shared/db/client'
import { webhookEndpoints } from '../../../shared/db/schema'
import { selectPage, tenantRow, updateTenantRow } from '../../../shared/db/tenant-rows'
import { idParamSchema, listPage, listQuerySchema } from '../../../shared/schemas/common'
import {
  rotateSecretSchema,
  webhookCreateSchema,
  webhookListSchema,
  webhookSchema,
  webhookUpdateSchema,
  webhookWithSecretSchema,
} from '../../../shared/schemas/webhooks'
import {
  assertUrlFree,
  createEndpoint,
  endpointChanges,
  findEndpoint,
  presentEndpoint,
  rotateSecret,
} from '../../webhooks/endpoints'
import { createRouter, errorResponse, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

const tags = ['Webhooks']
const refused = errorResponse(
  'The URL cannot receive webhooks (`webhook_url_refused`), or the body is not valid.',
)
const urlTaken = errorResponse('Another endpoint of the tenant has this URL (`webhook_url_taken`).')

export const webhookRoutes = createRouter()
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/',
      tags,
      summary: 'Register an endpoint; its signing secret is in this response only',
      request: jsonBody(webhookCreateSchema),
      responses: {
        201: json(webhookWithSecretSchema, 'The endpoint, with its secret.'),
        400: refused,
        409: errorResponse(
          'The plan’s endpoints are all in use (`plan_limit_reached`), or the URL is taken (`webhook_url_taken`).',
        ),
      },
    }),
    async (c) => {
      const { tenantId, plan } = c.get('principal')
      const { endpoint, secret } = await createEndpoint(
        c.env,
        db(c.env.DB),
        { tenantId, maxEndpoints: plan.maxWebhookEndpoints },
        c.req.valid('json'),
      )
      await recordCallerAudit(c, {
        action: 'webhook.created',
        target: endpoint.id,
        details: { url: endpoint.url, kind: endpoint.kind, events: endpoint.events },
      })
      return c.json({ ...presentEndpoint(endpoint), secret }, 201)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags,
      summary: 'List endpoints (without secrets)',
      request: { query: listQuerySchema },
      responses: { 200: json(webhookListSchema, 'A page of endpoints, newest first.') },
    }),
    async (c) => {
      const query = c.req.valid('query')
      const tenantId = c.get('principal').tenantId
      const rows = await selectPage(db(c.env.DB), webhookEndpoints, { tenantId, ...query })
      return c.json(listPage(rows.map(presentEndpoint), query.limit), 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}',
      tags,
      summary: 'An endpoint, with its health',
      request: { params: idParamSchema },
      responses: { 200: json(webhookSchema, 'The endpoint.') },
    }),
    async (c) => {
      const endpoint = await findEndpoint(db(c.env.DB), c.get('principal').tenantId, c.req.valid('param').id)
      return c.json(presentEndpoint(endpoint), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'patch',
      path: '/{id}',
      tags,
      summary: 'Change the URL, events or description, or disable / enable again',
      request: { params: idParamSchema, ...jsonBody(webhookUpdateSchema) },
      responses: { 200: json(webhookSchema, 'The endpoint after the change.'), 400: refused, 409: urlTaken },
    }),
    async (c) => {
      const database = db(c.env.DB)
      const endpoint = await findEndpoint(database, c.get('principal').tenantId, c.req.valid('param').id)
      const changes = endpointChanges(c.env, endpoint, c.req.valid('json'))
      if (changes.url) await assertUrlFree(database, endpoint.tenantId, changes.url, endpoint.id)
      const row = await updateTenantRow(database, webhookEndpoints, endpoint, changes)
      await recordCallerAudit(c, {
        action: 'webhook.updated',
        target: endpoint.id,
        details: { changed: Object.keys(c.req.valid('json')) },
      })
      return c.json(presentEndpoint(row), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'delete',
      path: '/{id}',
      tags,
      summary: 'Delete an endpoint and its delivery log',
      request: { params: idParamSchema },
      responses: { 200: json(webhookSchema, 'The deleted endpoint.') },
    }),
    async (c) => {
      const database = db(c.env.DB)
      const endpoint = await findEndpoint(database, c.get('principal').tenantId, c.req.valid('param').id)
      await database.delete(webhookEndpoints).where(tenantRow(webhookEndpoints, endpoint))
      await recordCallerAudit(c, {
        action: 'webhook.deleted',
        target: endpoint.id,
        details: { url: endpoint.url },
      })
      return c.json(presentEndpoint(endpoint), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/{id}/rotate-secret',
      tags,
      summary: 'Rotate the signing secret; both secrets sign during the overlap',
      request: { params: idParamSchema, ...jsonBody(rotateSecretSchema) },
      responses: {
        200: json(webhookWithSecretSchema, 'The endpoint, with its new secret.'),
        409: errorResponse('Slack endpoints have no secret.'),
      },
    }),
    async (c) => {
      const database = db(c.env.DB)
      const endpoint = await findEndpoint(database, c.get('principal').tenantId, c.req.valid('param').id)
      const { overlap_seconds } = c.req.valid('json')
      const { changes, secret } = await rotateSecret(c.env, endpoint, overlap_seconds)
      const row = await updateTenantRow(database, webhookEndpoints, endpoint, changes)
      await recordCallerAudit(c, {
        action: 'webhook.secret_rotated',
        target: endpoint.id,
        details: { overlap_seconds },
      })
      return c.json({ ...presentEndpoint(row), secret }, 200)
    },
  )
