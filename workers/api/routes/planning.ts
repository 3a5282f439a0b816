// Before running a batch: POST /v1/estimate (tokens and cost of the whole batch, no model
// calls) and POST /v1/batches/preview (run the first rows now and show outputs and cost).
import { and, eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { files } from '../../../shared/db/schema'
import { AppError, errors } from '../../../shared/errors'
import { estimateSchema, previewRequestSchema, previewSchema } from '../../../shared/schemas/ai'
import { type BatchCreate, batchCreateSchema } from '../../../shared/schemas/batches'
import { estimateBatch } from '../../ai/estimate'
import { generateRows } from '../../ai/generate'
import { resolveRunSettings } from '../../ai/run-settings'
import { batchMapping } from '../../batches/batch-mapping'
import { checkTemplateVariables, inputColumns, validateTask } from '../../batches/create-batch'
import { sampleRows } from '../../batches/sample-rows'
import { createRouter, json, jsonBody, protectedRoute } from '../openapi'

const ESTIMATE_SAMPLE_ROWS = 200

/** The batch request checked as creation would check it, with its file and run settings. */
async function plan(env: Env, tenantId: string, body: BatchCreate) {
  const { task, params } = validateTask(body)
  const file = body.input_file_id
    ? await db(env.DB).query.files.findFirst({
        where: and(eq(files.id, body.input_file_id), eq(files.tenantId, tenantId)),
      })
    : undefined
  if (body.input_file_id && !file) throw errors.notFound('Input file')
  const mapping = await batchMapping(env, task, body, file)
  const settings = await resolveRunSettings(env, tenantId, { ...body, task })
  const mapped = { ...body, mapping: mapping ?? undefined }
  if (settings.template) checkTemplateVariables(settings, await inputColumns(env, mapped, file))
  return { task, params, settings, file, mapped, total: file ? file.records : body.items!.length }
}

export const planningRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'post',
      path: '/estimate',
      tags: ['Batches'],
      summary: 'Tokens and cost of a batch before it runs (no model is called)',
      request: jsonBody(batchCreateSchema),
      responses: { 200: json(estimateSchema, 'The estimate.') },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const body = c.req.valid('json')
      const { task, params, settings, file, mapped, total } = await plan(c.env, tenantId, body)
      const { rows, refused } = await sampleRows(c.env, mapped, file, file ? ESTIMATE_SAMPLE_ROWS : total)
      return c.json(estimateBatch({ task, params, settings, rows, refused, total }), 200)
    },
  )
  .openapi(
    protectedRoute('write', {
      method: 'post',
      path: '/batches/preview',
      tags: ['Batches'],
      summary: 'Render and run the first rows of a batch now: outputs and cost',
      request: jsonBody(previewRequestSchema),
      responses: { 200: json(previewSchema, 'Each previewed row’s output, and the total cost.') },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const body = c.req.valid('json')
      const { task, params, settings, file, mapped } = await plan(c.env, tenantId, body)
      const { rows, refused } = await sampleRows(c.env, mapped, file, body.rows)
      if (!rows.length)
        throw new AppError(
          'no_valid_rows',
          400,
          `None of the first ${body.rows} rows can be read: ${refused.map((row) => `row ${row.row}: ${row.message}`).join('; ')}`,
          { refused },
        )
      const results = await generateRows(c.env, {
        tenantId,
        task,
        params,
        settings,
        rows,
        monthlyTaskQuota: c.get('principal').plan.monthlyTaskQuota,
      })
      const usage = { input_tokens: 0, output_tokens: 0 }
      for (const result of results) {
        usage.input_tokens += result.usage.input_tokens
        usage.output_tokens += result.usage.output_tokens
      }
      return c.json(
        {
          rows: results.map((result, index) => ({ custom_id: rows[index]!.customId, ...result })),
          usage,
          cost_usd: results.reduce((sum, result) => sum + result.cost_usd, 0),
        },
        200,
      )
    },
  )
