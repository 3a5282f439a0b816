// Result rows as the API hands them out: one JSON line per task, or CSV with the input
// columns followed by the output columns.
import type { Usage } from '../../shared/db/schema'
import type { TaskError } from '../../shared/pipeline/messages'
import type { TaskDefinition } from '../../shared/tasks/types'
import { TASK_STATE } from './state'

export type ResultRow = {
  seq: number
  custom_id: string
  state: number
  input: string | null
  output: string | null
  error: string | null
  input_tokens: number | null
  output_tokens: number | null
  provider: string | null
  model: string | null
  cost_usd: number | null
  cached: number | null
  violations: string | null
}

export type ResultStatus = 'succeeded' | 'needs_review' | 'failed'

export type ResultLine = {
  custom_id: string
  status: ResultStatus
  output?: unknown
  violations?: string[]
  error?: TaskError
  usage?: Usage
  cost_usd?: number
  cached?: boolean
  provider?: string
  model?: string
}

function statusOf(row: ResultRow): ResultStatus {
  if (row.state !== TASK_STATE.succeeded) return 'failed'
  return row.violations ? 'needs_review' : 'succeeded'
}

/** Terminal tasks after `afterSeq`, in order; `failedOnly` for the errors listing. */
export function readResultRows(
  sql: SqlStorage,
  options: { afterSeq: number; limit: number; failedOnly?: boolean },
) {
  // `state = failed` lets SQLite seek the tasks_failed index instead of walking every task.
  const states = options.failedOnly
    ? `state = ${TASK_STATE.failed}`
    : `state IN (${TASK_STATE.succeeded}, ${TASK_STATE.failed})`
  return sql
    .exec<ResultRow>(
      `SELECT seq, custom_id, state, input, output, error, input_tokens, output_tokens, provider, model,
              cost_usd, cached, violations
       FROM tasks WHERE seq > ? AND ${states} ORDER BY seq LIMIT ?`,
      options.afterSeq,
      options.limit,
    )
    .toArray()
}

export function toResultLine(row: ResultRow): ResultLine {
  const status = statusOf(row)
  if (status === 'failed') return { custom_id: row.custom_id, status, error: JSON.parse(row.error ?? '{}') }
  return {
    custom_id: row.custom_id,
    status,
    output: JSON.parse(row.output ?? 'null'),
    ...(row.violations && { violations: JSON.parse(row.violations) }),
    usage: { input_tokens: row.input_tokens ?? 0, output_tokens: row.output_tokens ?? 0 },
    cost_usd: row.cost_usd ?? 0,
    cached: row.cached === 1,
    provider: row.provider ?? undefined,
    model: row.model ?? undefined,
  }
}

function objectKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape
  return shape && typeof shape === 'object' ? Object.keys(shape) : []
}

function csvField(value: unknown): string {
  const text =
    value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** CSV columns: custom_id, the task's input fields, status, its output fields, violations, error code and message. */
export function csvColumns(task: TaskDefinition) {
  const input = objectKeys(task.input)
  const output = objectKeys(task.output)
  const header = [
    'custom_id',
    ...input,
    'status',
    ...output.map((key) => `output_${key}`),
    'violations',
    'error_code',
    'error_message',
  ]
  const line = (row: ResultRow) => {
    const inputValues: Record<string, unknown> = JSON.parse(row.input ?? '{}')
    const outputValues: Record<string, unknown> = JSON.parse(row.output ?? '{}') ?? {}
    const error: Partial<TaskError> = JSON.parse(row.error ?? '{}')
    return [
      row.custom_id,
      ...input.map((key) => inputValues[key]),
      statusOf(row),
      ...output.map((key) => outputValues[key]),
      row.violations ? (JSON.parse(row.violations) as string[]).join('; ') : '',
      error.code,
      error.message,
    ]
      .map(csvField)
      .join(',')
  }
  return { header: header.join(','), line }
}
