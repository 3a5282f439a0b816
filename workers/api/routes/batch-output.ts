// What a batch produces: results (JSONL or CSV, partial while running), row errors, and
// Server-Sent Events of progress until the batch ends (see batches/progress-stream.ts).
import { z } from '@hono/zod-openapi'
import { streamSSE } from 'hono/streaming'
import { errors } from '../../../shared/errors'
import { batchErrorListSchema, eventsQuerySchema, resultsQuerySchema } from '../../../shared/schemas/batches'
import { idParamSchema } from '../../../shared/schemas/common'
import { requireTask } from '../../../shared/tasks'
import { loadBatch, loadBatchRow } from '../../batches/load-batch'
import { openStreamSlot, streamProgress } from '../../batches/progress-stream'
import { readResultPage } from '../../batches/result-pages'
import { streamResults } from '../../batches/result-stream'
import { createRouter, errorResponse, json, protectedRoute } from '../openapi'

const CONTENT_TYPES = { jsonl: 'application/jsonl; charset=utf-8', csv: 'text/csv; charset=utf-8' }
const errorsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.string().regex(/^\d+$/).optional(),
})

export const batchOutputRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}/results',
      tags: ['Batches'],
      summary:
        'Results, one per finished task: JSON lines, CSV of input, output and param columns, or a CSV laid out for a Shopify or Google Ads Editor import',
      request: { params: idParamSchema, query: resultsQuerySchema },
      responses: {
        200: {
          description: 'JSONL `{ custom_id, status, output?, error?, usage? }` per task, or CSV.',
          content: { 'application/jsonl': { schema: z.string() }, 'text/csv': { schema: z.string() } },
        },
      },
    }),
    async (c) => {
      const { format: asked, bom, layout, campaign, ad_group } = c.req.valid('query')
      if (layout && asked === 'jsonl') throw errors.validation('A layout is a CSV; leave out format=jsonl.')
      const format = layout ? 'csv' : (asked ?? 'jsonl')
      const row = await loadBatchRow(c.env, c.get('principal').tenantId, c.req.valid('param').id)
      const body = await streamResults(c.env, row, format, {
        bom,
        layout: layout && { layout, campaign, ad_group },
      })
      return c.body(body, 200, {
        'Content-Type': CONTENT_TYPES[format],
        'Content-Disposition': `attachment; filename="${row.id}-${layout ?? 'results'}.${format}"`,
      })
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}/errors',
      tags: ['Batches'],
      summary: 'Failed rows with their reasons',
      request: { params: idParamSchema, query: errorsQuerySchema },
      responses: { 200: json(batchErrorListSchema, 'A page of failed rows, in input order.') },
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query')
      const row = await loadBatchRow(c.env, c.get('principal').tenantId, c.req.valid('param').id)
      const batch = {
        tenantId: row.tenantId,
        batchId: row.id,
        task: requireTask(row.task),
        params: row.params,
      }
      const page = await readResultPage(c.env, batch, {
        format: 'jsonl',
        afterSeq: Number(after ?? 0),
        limit: limit + 1,
        failedOnly: true,
      })
      const data = page.lines.slice(0, limit).map((line) => {
        const { custom_id, error } = JSON.parse(line)
        return { custom_id, error }
      })
      const hasMore = page.lines.length > limit
      return c.json(
        {
          object: 'list' as const,
          data,
          has_more: hasMore,
          last_id: hasMore ? String(page.seqs[limit - 1]) : null,
        },
        200,
      )
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}/events',
      tags: ['Batches'],
      summary:
        'Server-Sent Events: `progress` (counts, rate, ETA) as it changes, then `done`; `reconnect` after at most 10 minutes',
      request: { params: idParamSchema, query: eventsQuerySchema },
      responses: {
        200: { description: 'An event stream.', content: { 'text/event-stream': { schema: z.string() } } },
        429: errorResponse(
          'Rate limit exceeded, or the tenant holds the plan’s open streams already (`plan_limit_reached`); see Retry-After.',
        ),
      },
    }),
    async (c) => {
      const principal = c.get('principal')
      const { id } = c.req.valid('param')
      const { interval_ms, lifetime_seconds } = c.req.valid('query')
      await loadBatchRow(c.env, principal.tenantId, id)
      const slot = await openStreamSlot(c.env, principal, lifetime_seconds)
      // waitUntil: a client that hung up ends the request, and the release must still reach the tenant.
      const release = () => c.executionCtx.waitUntil(slot.release())
      return streamSSE(c, async (stream) => {
        stream.onAbort(release)
        try {
          await streamProgress(stream, {
            load: () => loadBatch(c.env, principal.tenantId, id),
            intervalMs: interval_ms,
            lifetimeMs: lifetime_seconds * 1000,
          })
        } finally {
          release()
        }
      })
    },
  )
