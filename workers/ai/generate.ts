// Running tasks now rather than in a batch: one task for POST /v1/generate, the first rows of a
// batch for previews. Same catalogue, settings, router, cache and accounting as batch tasks.

import { tenantCoordinator } from '../../durable-objects/stubs'
import { db } from '../../shared/db/client'
import { addTenantUsage } from '../../shared/db/tenant-usage'
import { AppError } from '../../shared/errors'
import type { RunSettings, TaskError, TaskResult } from '../../shared/pipeline/messages'
import { readRowInput } from '../../shared/tasks/row-input'
import type { TaskDefinition } from '../../shared/tasks/types'
import { requireVerifiedOwner } from '../identity/email-verification'
import type { TaskOutcome } from '../pipeline/execute-task'
import { runTasks } from '../pipeline/run-tasks'
import { createTaskRun } from '../pipeline/task-run'

export type Generation = {
  status: 'succeeded' | 'needs_review' | 'failed'
  output?: unknown
  violations?: string[]
  error?: TaskError
  usage: { input_tokens: number; output_tokens: number }
  cost_usd: number
  cached: boolean
  provider: string | null
  model: string | null
}

function present(outcome: TaskResult): Generation {
  if (outcome.status === 'failed') {
    return {
      status: 'failed',
      error: outcome.error,
      usage: outcome.usage ?? { input_tokens: 0, output_tokens: 0 },
      cost_usd: outcome.cost_usd ?? 0,
      cached: false,
      provider: null,
      model: null,
    }
  }
  return {
    status: outcome.status,
    output: outcome.output,
    ...(outcome.status === 'needs_review' && { violations: outcome.violations }),
    usage: outcome.usage,
    cost_usd: outcome.cost_usd,
    cached: outcome.cached,
    provider: outcome.provider,
    model: outcome.model,
  }
}

/** A transient failure after the router's retries: the caller may try again later. */
function unavailable(outcome: Extract<TaskOutcome, { status: 'retry' }>): AppError {
  const retryAfter = Math.max(1, Math.ceil((outcome.retryAfterMs ?? 1000) / 1000))
  return new AppError(
    'provider_unavailable',
    503,
    `No provider could answer now: ${outcome.error.message}`,
    {
      provider_error: outcome.error.code,
    },
    { 'Retry-After': String(retryAfter) },
  )
}

export async function generateRows(
  env: Env,
  options: {
    tenantId: string
    task: TaskDefinition
    params: unknown
    settings: RunSettings
    rows: { customId: string; input: Record<string, unknown> }[]
    monthlyTaskQuota: number
  },
): Promise<Generation[]> {
  const { tenantId, task, params, settings, rows } = options
  if (!rows.length) return []
  // Realtime calls and previews run models on the tenant's quota, as batches do.
  await requireVerifiedOwner(db(env.DB), tenantId)
  const reserved = await tenantCoordinator(env, tenantId).reserveTasks({
    tasks: rows.length,
    monthlyTaskQuota: options.monthlyTaskQuota,
  })
  if (!reserved.admitted) throw new AppError(reserved.code, 429, reserved.message)
  const run = await createTaskRun(env, { tenantId, task, params, settings, delivery: 1 })
  const items = rows.map((row, index) => ({ seq: index + 1, customId: row.customId, input: row.input }))
  const outcomes = await runTasks(env, run, items)
  const results = outcomes.map((outcome) => {
    if (outcome.status === 'retry') throw unavailable(outcome)
    return present(outcome)
  })
  const done = results.filter((result) => result.status !== 'failed')
  await addTenantUsage(env.DB, tenantId, {
    tasks: done.length,
    inputTokens: results.reduce((sum, result) => sum + result.usage.input_tokens, 0),
    outputTokens: results.reduce((sum, result) => sum + result.usage.output_tokens, 0),
    costUsd: results.reduce((sum, result) => sum + result.cost_usd, 0),
    cacheHits: results.filter((result) => result.cached).length,
  })
  return results
}

/** Refuses a realtime input the task (or the template) cannot take, before any provider call. */
export function checkInput(task: TaskDefinition, settings: RunSettings, input: Record<string, unknown>) {
  const read = readRowInput(task, settings.template, input)
  if (!read.ok) throw new AppError('invalid_input', 400, read.message)
}
