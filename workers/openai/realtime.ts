// POST /openai/v1/chat/completions and /embeddings: one request run now as one openai_chat or
// openai_embedding task, through the same settings, router, cache and accounting as batch tasks.
import { AppError } from '../../shared/errors'
import { fnv1a } from '../../shared/hash'
import type { OpenAIEndpoint } from '../../shared/schemas/openai'
import { findTask } from '../../shared/tasks'
import { generateRows } from '../ai/generate'
import { resolveRunSettings } from '../ai/run-settings'
import { statusOfTaskError } from './errors'
import { TASK_BY_ENDPOINT } from './present'
import type { Answered } from './responses'

/** Runs the request and answers with `present`'s body (chatCompletion or embeddingList). */
export async function answerNow<T>(
  env: Env,
  options: {
    tenantId: string
    monthlyTaskQuota: number
    requestId: string
    endpoint: OpenAIEndpoint
    body: { model: string }
    present: (answered: Answered) => T
  },
): Promise<T> {
  const { tenantId, endpoint, body } = options
  const task = findTask(TASK_BY_ENDPOINT[endpoint])!
  const settings = await resolveRunSettings(env, tenantId, { task, model: body.model })
  const [result] = await generateRows(env, {
    tenantId,
    task,
    params: task.params.parse({}),
    settings,
    // The seed follows the request, so the simulated provider answers a repeated request alike.
    rows: [{ customId: String(fnv1a(JSON.stringify(body))), input: body }],
    monthlyTaskQuota: options.monthlyTaskQuota,
  })
  if (result!.status === 'failed') {
    const { code, message } = result!.error!
    throw new AppError(code, statusOfTaskError(code), message)
  }
  return options.present({
    id: `chatcmpl-${options.requestId}`,
    created: Math.floor(Date.now() / 1000),
    model: result!.model ?? body.model,
    output: result!.output,
    usage: result!.usage,
  })
}
