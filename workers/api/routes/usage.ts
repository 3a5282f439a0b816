// GET /v1/usage: the tenant's tasks, tokens, cost and cache hits per month.
import { z } from '@hono/zod-openapi'
import { desc, eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { tenantUsage } from '../../../shared/db/schema'
import { usageMonthSchema } from '../../../shared/schemas/ai'
import { createRouter, json, protectedRoute } from '../openapi'

export const usageRoutes = createRouter().openapi(
  protectedRoute('read', {
    method: 'get',
    path: '/',
    tags: ['Usage'],
    summary: 'Usage and cost per month (UTC), newest first',
    request: { query: z.object({ months: z.coerce.number().int().min(1).max(36).default(12) }) },
    responses: {
      200: json(
        z.object({ object: z.literal('list'), data: z.array(usageMonthSchema) }),
        'Months with usage.',
      ),
    },
  }),
  async (c) => {
    const rows = await db(c.env.DB)
      .select()
      .from(tenantUsage)
      .where(eq(tenantUsage.tenantId, c.get('principal').tenantId))
      .orderBy(desc(tenantUsage.month))
      .limit(c.req.valid('query').months)
    const data = rows.map((row) => ({
      month: row.month,
      tasks: row.tasks,
      input_tokens: row.inputTokens,
      output_tokens: row.outputTokens,
      cost_usd: row.costUsd,
      cache_hits: row.cacheHits,
    }))
    return c.json({ object: 'list' as const, data }, 200)
  },
)
