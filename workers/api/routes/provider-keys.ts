// A tenant's own provider keys (OpenAI or any OpenAI-compatible server, Anthropic): stored
// AES-GCM encrypted, used in place of the platform's keys, and never returned by any endpoint.

import { z } from '@hono/zod-openapi'
import { and, eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { providerKeys } from '../../../shared/db/schema'
import { errors } from '../../../shared/errors'
import { assertUrl } from '../../../shared/net/url-guard'
import { providerKeySchema, providerKeyUpdateSchema, providerParamSchema } from '../../../shared/schemas/ai'
import { encryptSecret } from '../../../shared/secret-box'
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
      if (body.base_url)
        assertUrl(body.base_url, c.env, {
          code: 'provider_url_refused',
          refusal: 'This base URL cannot be used.',
        })
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
      summary: 'Remove the tenant’s key: no call uses it from now on',
      description:
        'Chunks of running batches read the tenant’s keys when they run: a batch created with this ' +
        'key stops using it at once and does not switch to the platform’s key (its tasks go on to ' +
        'the route’s next target, or fail with `provider_key_deleted`). New batches and realtime ' +
        'calls use the platform’s key, if any. A key stored again (PUT) is used by later chunks.',
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
