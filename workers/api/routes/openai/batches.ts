// /openai/v1/batches: create from an uploaded JSONL file, get, list (cursor `after`) and cancel,
// in OpenAI's batch object shape. Only batches made on this surface are visible here.
import { z } from '@hono/zod-openapi'
import { inArray } from 'drizzle-orm'
import { presentBatch } from '../../../../durable-objects/batch/present'
import { batchCoordinator } from '../../../../durable-objects/stubs'
import { db } from '../../../../shared/db/client'
import { batches, isFinished } from '../../../../shared/db/schema'
import { selectPage } from '../../../../shared/db/tenant-rows'
import { AppError } from '../../../../shared/errors'
import { idParamSchema, listPage, listQuerySchema } from '../../../../shared/schemas/common'
import {
  openaiBatchCreateSchema,
  openaiBatchListSchema,
  openaiBatchSchema,
} from '../../../../shared/schemas/openai'
import { loadBatch, loadBatchRow } from '../../../batches/load-batch'
import { createOpenAIBatch } from '../../../openai/create-batch'
import { OPENAI_TASKS, presentOpenAIBatch } from '../../../openai/present'
import { createRouter, json, jsonBody } from '../../openapi'
import { openaiError, openaiRoute } from './route'

const batchResponse = (description: string) => json(openaiBatchSchema, description)

function requireOpenAIBatch<T extends { id: string; task: string }>(batch: T): T {
  if (!OPENAI_TASKS.includes(batch.task)) throw new AppError('not_found', 404, `No such batch: ${batch.id}`)
  return batch
}

export const openaiBatchRoutes = createRouter()
  .openapi(
    openaiRoute('write', {
      method: 'post',
      path: '/',
      summary: 'Create a batch from an uploaded JSONL file of requests to one endpoint',
      request: {
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
        ...jsonBody(openaiBatchCreateSchema),
      },
      responses: { 200: batchResponse('The batch; it runs in the background.') },
    }),
    async (c) =>
      c.json(
        await createOpenAIBatch(
          c.env,
          c.get('principal'),
          c.req.valid('json'),
          c.req.valid('header')['idempotency-key'],
        ),
        200,
      ),
  )
  .openapi(
    openaiRoute('read', {
      method: 'get',
      path: '/',
      summary: 'List batches, newest first',
      request: { query: listQuerySchema },
      responses: {
        200: json(openaiBatchListSchema, 'A page of batches; pass `last_id` as `after` for the next.'),
      },
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query')
      const rows = await selectPage(db(c.env.DB), batches, {
        tenantId: c.get('principal').tenantId,
        limit,
        after,
        where: inArray(batches.task, OPENAI_TASKS),
      })
      return c.json(
        listPage(
          rows.map((row) => presentOpenAIBatch(presentBatch(row))),
          limit,
        ),
        200,
      )
    },
  )
  .openapi(
    openaiRoute('read', {
      method: 'get',
      path: '/{id}',
      summary: 'Get a batch with live request counts',
      request: { params: idParamSchema },
      responses: { 200: batchResponse('The batch.') },
    }),
    async (c) => {
      const batch = await loadBatch(c.env, c.get('principal').tenantId, c.req.valid('param').id)
      return c.json(presentOpenAIBatch(requireOpenAIBatch(batch)), 200)
    },
  )
  .openapi(
    openaiRoute('write', {
      method: 'post',
      path: '/{id}/cancel',
      summary: 'Cancel a batch: no more requests start; results so far are kept',
      request: { params: idParamSchema },
      responses: {
        200: batchResponse('The batch, cancelling or cancelled.'),
        409: openaiError('The batch has already finished.'),
      },
    }),
    async (c) => {
      const { tenantId } = c.get('principal')
      const row = requireOpenAIBatch(await loadBatchRow(c.env, tenantId, c.req.valid('param').id))
      if (isFinished(row.status))
        throw new AppError('batch_finished', 409, `Cannot cancel a batch with status ${row.status}.`)
      const summary = await batchCoordinator(c.env, tenantId, row.id).cancel()
      return c.json(presentOpenAIBatch(presentBatch(row, summary)), 200)
    },
  )
