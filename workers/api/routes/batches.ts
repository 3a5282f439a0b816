// Batches: create (inline items or an uploaded file), list, get, and pause/resume/cancel/retry.
import { z } from '@hono/zod-openapi'
import { eq } from 'drizzle-orm'
import { presentBatch } from '../../../durable-objects/batch/present'
import { batchCoordinator, tenantCoordinator } from '../../../durable-objects/stubs'
import { db } from '../../../shared/db/client'
import { batches, isFinished } from '../../../shared/db/schema'
import { selectPage } from '../../../shared/db/tenant-rows'
import { AppError } from '../../../shared/errors'
import {
  batchCreateSchema,
  batchListQuerySchema,
  batchListSchema,
  batchSchema,
} from '../../../shared/schemas/batches'
import { idParamSchema, listPage } from '../../../shared/schemas/common'
import { createBatch } from '../../batches/create-batch'
import { loadBatch, loadBatchRow } from '../../batches/load-batch'
import { createRouter, errorResponse, json, jsonBody, protectedRoute } from '../openapi'

const batchResponse = (description: string) => json(batchSchema, description)
const conflict = errorResponse('The batch is not in a state that allows this.')

const control = (action: string, summary: string) =>
  protectedRoute('write', {
    method: 'post',
    path: `/{id}/${action}`,
    tags: ['Batches'],
    summary,
    request: { params: idParamSchema },
    responses: { 200: batchResponse('The batch after the action.'), 409: conflict },
  })

export const batchRoutes = createRouter()
  .openapi(
    protectedRoute('write', {
      method: 'post',
      path: '/',
      tags: ['Batches'],
      summary: 'Create a batch from inline items or an uploaded file (honours Idempotency-Key)',
      request: {
        headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
        ...jsonBody(batchCreateSchema),
      },
      responses: { 202: batchResponse('Accepted; the batch runs in the background.') },
    }),
    async (c) => {
      const { batch } = await createBatch(
        c.env,
        c.get('principal'),
        c.req.valid('json'),
        c.req.valid('header')['idempotency-key'],
      )
      return c.json(batch, 202)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Batches'],
      summary: 'List batches, newest first',
      request: { query: batchListQuerySchema },
      responses: { 200: json(batchListSchema, 'A page of batches.') },
    }),
    async (c) => {
      const { limit, after, status } = c.req.valid('query')
      const rows = await selectPage(db(c.env.DB), batches, {
        tenantId: c.get('principal').tenantId,
        limit,
        after,
        where: status ? eq(batches.status, status) : undefined,
      })
      return c.json(
        listPage(
          rows.map((row) => presentBatch(row)),
          limit,
        ),
        200,
      )
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}',
      tags: ['Batches'],
      summary: 'Get a batch with live counts',
      request: { params: idParamSchema },
      responses: { 200: batchResponse('The batch.') },
    }),
    async (c) => c.json(await loadBatch(c.env, c.get('principal').tenantId, c.req.valid('param').id), 200),
  )
  .openapi(control('cancel', 'Cancel: stop dispatch at once; results so far are kept'), async (c) => {
    const { tenantId } = c.get('principal')
    const row = await loadBatchRow(c.env, tenantId, c.req.valid('param').id)
    if (isFinished(row.status)) {
      throw new AppError('batch_finished', 409, `The batch is already ${row.status}.`)
    }
    return c.json(presentBatch(row, await batchCoordinator(c.env, tenantId, row.id).cancel()), 200)
  })
  .openapi(control('pause', 'Pause dispatch; tasks in flight finish'), async (c) => {
    const { tenantId } = c.get('principal')
    const row = await loadBatchRow(c.env, tenantId, c.req.valid('param').id)
    const summary = await batchCoordinator(c.env, tenantId, row.id).pause()
    if (summary.status !== 'paused')
      throw new AppError('batch_not_running', 409, `A ${summary.status} batch cannot be paused.`)
    return c.json(presentBatch(row, summary), 200)
  })
  .openapi(control('resume', 'Resume a paused batch'), async (c) => {
    const { tenantId } = c.get('principal')
    const row = await loadBatchRow(c.env, tenantId, c.req.valid('param').id)
    if (row.status !== 'paused')
      throw new AppError('batch_not_paused', 409, `A ${row.status} batch cannot be resumed.`)
    return c.json(presentBatch(row, await batchCoordinator(c.env, tenantId, row.id).resume()), 200)
  })
  .openapi(control('retry', 'Re-run only the failed tasks of a finished batch'), async (c) => {
    const principal = c.get('principal')
    const row = await loadBatchRow(c.env, principal.tenantId, c.req.valid('param').id)
    if (row.status !== 'completed' && row.status !== 'cancelled') {
      throw new AppError(
        'batch_not_finished',
        409,
        `Only completed or cancelled batches can be retried; this one is ${row.status}.`,
      )
    }
    const coordinator = batchCoordinator(c.env, principal.tenantId, row.id)
    const tasks = await coordinator.rerunnableCount()
    if (tasks === 0)
      throw new AppError('nothing_to_retry', 409, 'The batch has no failed tasks that can run again.')
    const admission = await tenantCoordinator(c.env, principal.tenantId).admitBatch({
      batchId: row.id,
      tasks,
      maxConcurrentBatches: principal.plan.maxConcurrentBatches,
      monthlyTaskQuota: principal.plan.monthlyTaskQuota,
      maxConcurrentTasks: principal.plan.maxConcurrentTasks,
    })
    if (!admission.admitted) throw new AppError(admission.code, 429, admission.message)
    const { summary } = await coordinator.retryFailed()
    return c.json(presentBatch(row, summary), 200)
  })
