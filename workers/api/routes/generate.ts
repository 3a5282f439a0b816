// POST /v1/generate: one task, synchronously, for integrations that need a result now.

import { AppError } from '../../../shared/errors'
import { generateSchema, generationSchema } from '../../../shared/schemas/ai'
import { requireTask } from '../../../shared/tasks'
import { parseTaskParams } from '../../../shared/tasks/params'
import { checkInput, generateRows } from '../../ai/generate'
import { resolveRunSettings } from '../../ai/run-settings'
import { createRouter, errorResponse, json, jsonBody, protectedRoute } from '../openapi'

export const generateRoutes = createRouter().openapi(
  protectedRoute('write', {
    method: 'post',
    path: '/',
    tags: ['Generate'],
    summary: 'Run one task now and return its output',
    request: jsonBody(generateSchema),
    responses: {
      200: json(generationSchema, 'The output (status succeeded or needs_review), usage and cost.'),
      502: errorResponse('The provider refused the request or gave no usable answer.'),
      503: errorResponse('No provider could answer now; see Retry-After.'),
    },
  }),
  async (c) => {
    const tenantId = c.get('principal').tenantId
    const body = c.req.valid('json')
    const task = requireTask(body.task)
    const params = parseTaskParams(task, body.params)
    const settings = await resolveRunSettings(c.env, tenantId, { ...body, task })
    checkInput(task, settings, body.input)
    const [result] = await generateRows(c.env, {
      tenantId,
      task,
      params,
      settings,
      rows: [{ customId: crypto.randomUUID(), input: body.input }],
      monthlyTaskQuota: c.get('principal').plan.monthlyTaskQuota,
    })
    if (result!.status === 'failed') {
      const { code, message } = result!.error!
      throw new AppError(
        code === 'invalid_input' ? 'invalid_input' : 'generation_failed',
        code === 'invalid_input' ? 400 : 502,
        message,
        { task_error: code },
      )
    }
    return c.json(result!, 200)
  },
)
