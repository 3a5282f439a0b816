// API keys of the caller's tenant: create (secret shown once), list, revoke.
import { and, isNull } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { type ApiKey, apiKeys } from '../../../shared/db/schema'
import { selectPage, tenantRow } from '../../../shared/db/tenant-rows'
import { errors } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import { idParamSchema, listPage, listQuerySchema } from '../../../shared/schemas/common'
import {
  apiKeyCreatedSchema,
  apiKeyCreateSchema,
  apiKeyListSchema,
  apiKeySchema,
} from '../../../shared/schemas/identity'
import { announceRevokedKey, generateApiKey } from '../../identity/api-keys'
import { actorId, type Scope } from '../../identity/principal'
import { createRouter, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

function present(key: ApiKey) {
  return {
    id: key.id,
    object: 'api_key' as const,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as Scope[],
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    last_used_at: key.lastUsedAt,
    revoked_at: key.revokedAt,
  }
}

export const keyRoutes = createRouter()
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/',
      tags: ['API keys'],
      summary: 'Create an API key; the secret is in this response only',
      request: jsonBody(apiKeyCreateSchema),
      responses: { 201: json(apiKeyCreatedSchema, 'The new key, with its secret.') },
    }),
    async (c) => {
      const principal = c.get('principal')
      const body = c.req.valid('json')
      const beyond = body.scopes.filter((scope) => !principal.scopes.includes(scope))
      if (beyond.length)
        throw errors.forbidden(`You cannot grant scopes you do not hold: ${beyond.join(', ')}.`)

      const secret = await generateApiKey()
      const now = Math.floor(Date.now() / 1000)
      const [row] = await db(c.env.DB)
        .insert(apiKeys)
        .values({
          id: newId('key'),
          tenantId: principal.tenantId,
          name: body.name,
          prefix: secret.prefix,
          keyHash: secret.hash,
          scopes: [...new Set(body.scopes)],
          createdBy: actorId(principal),
          expiresAt: body.expires_in_days ? now + body.expires_in_days * 86400 : null,
          createdAt: now,
        })
        .returning()
      const key = row!
      await recordCallerAudit(c, {
        action: 'api_key.created',
        target: key.id,
        details: { name: key.name, scopes: key.scopes },
      })
      return c.json({ ...present(key), key: secret.key }, 201)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'get',
      path: '/',
      tags: ['API keys'],
      summary: 'List API keys (without secrets)',
      request: { query: listQuerySchema },
      responses: { 200: json(apiKeyListSchema, 'A page of keys, newest first.') },
    }),
    async (c) => {
      const query = c.req.valid('query')
      const tenantId = c.get('principal').tenantId
      const rows = await selectPage(db(c.env.DB), apiKeys, { tenantId, ...query })
      return c.json(listPage(rows.map(present), query.limit), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'delete',
      path: '/{id}',
      tags: ['API keys'],
      summary: 'Revoke an API key; it stops working on the next request',
      request: { params: idParamSchema },
      responses: { 200: json(apiKeySchema, 'The revoked key.') },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const { id } = c.req.valid('param')
      const database = db(c.env.DB)
      const [revoked] = await database
        .update(apiKeys)
        .set({ revokedAt: Math.floor(Date.now() / 1000) })
        .where(and(tenantRow(apiKeys, { id, tenantId }), isNull(apiKeys.revokedAt)))
        .returning()
      const key =
        revoked ??
        (await database.query.apiKeys.findFirst({
          where: tenantRow(apiKeys, { id, tenantId }),
        }))
      if (!key) throw errors.notFound('API key')
      // Also when it was revoked before: that earlier announcement may have failed.
      await announceRevokedKey(c.env, key)
      if (revoked) {
        await recordCallerAudit(c, { action: 'api_key.revoked', target: key.id })
      }
      return c.json(present(key), 200)
    },
  )
