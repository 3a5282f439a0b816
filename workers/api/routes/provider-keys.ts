// A tenant's own provider keys (OpenAI or any OpenAI-compatible server, Anthropic): stored
// AES-GCM encrypted, used in place of the platform's keys, and never returned by any endpoint.

import { z } from '@hono/zod-openapi'
import { and, eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { providerKeys } from '../../../shared/db/schema'
import { AppError, errors } from '../../../shared/errors'
import { providerKeySchema, providerKeyUpdateSchema, providerParamSchema } from '../../../shared/schemas/ai'
import { encryptSecret } from '../../../shared/secret-box'
import { allowsLoopback, checkWebhookUrl } from '../../webhooks/url-guard'
import { createRouter, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

type KeyRow = typeof providerKeys.$inferSelect

function present(row: KeyRow) {
  return {
    provider: row.provider as 'openai' | 'anthropic',
    base_url: row.baseUrl,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  }
}

export const providerKeyRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Provider keys'],
      summary: 'Which providers have a tenant key (never the keys)',
      responses: {
        200: json(z.object({ object: z.literal('list'), data: z.array(providerKeySchema) }), 'Stored keys.'),
      },
    }),
    async (c) => {
      const rows = await db(c.env.DB)
        .select()
        .from(providerKeys)
        .where(eq(providerKeys.tenantId, c.get('principal').tenantId))
      return c.json({ object: 'list' as const, data: rows.map(present) }, 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'put',
      path: '/{provider}',
      tags: ['Provider keys'],
      summary: 'Store (or replace) the tenant’s key for a provider',
      request: { params: providerParamSchema, ...jsonBody(providerKeyUpdateSchema) },
      responses: { 200: json(providerKeySchema, 'Stored; the key is not echoed.') },
    }),
    async (c) => {
      const principal = c.get('principal')
      const { provider } = c.req.valid('param')
      const body = c.req.valid('json')
      if (body.base_url) {
        const verdict = checkWebhookUrl(body.base_url, { allowLoopback: allowsLoopback(c.env) })
        if (!verdict.ok)
          throw new AppError('provider_url_refused', 400, `This base URL cannot be used. ${verdict.reason}`)
      }
      const now = Math.floor(Date.now() / 1000)
      const values = {
        ciphertext: await encryptSecret(c.env.ENCRYPTION_KEY, body.api_key),
        baseUrl: body.base_url ?? null,
        updatedAt: now,
      }
      const database = db(c.env.DB)
      const [row] = await database
        .insert(providerKeys)
        .values({ tenantId: principal.tenantId, provider, createdAt: now, ...values })
        .onConflictDoUpdate({ target: [providerKeys.tenantId, providerKeys.provider], set: values })
        .returning()
      await recordCallerAudit(c, { action: 'provider_key.stored', target: provider })
      return c.json(present(row!), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'delete',
      path: '/{provider}',
      tags: ['Provider keys'],
      summary: 'Remove the tenant’s key (the platform’s key, if any, is used again)',
      request: { params: providerParamSchema },
      responses: { 204: { description: 'Removed.' } },
    }),
    async (c) => {
      const principal = c.get('principal')
      const { provider } = c.req.valid('param')
      const database = db(c.env.DB)
      const deleted = await database
        .delete(providerKeys)
        .where(and(eq(providerKeys.tenantId, principal.tenantId), eq(providerKeys.provider, provider)))
        .returning({ provider: providerKeys.provider })
      if (!deleted.length) throw errors.notFound('Provider key')
      await recordCallerAudit(c, { action: 'provider_key.deleted', target: provider })
      return c.body(null, 204)
    },
  )
