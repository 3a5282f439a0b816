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
}

export type ResultLine = {
  custom_id: string
  status: 'succeeded' | 'failed'
  output?: unknown
  error?: TaskError
  usage?: Usage
  provider?: string
  model?: string
}

/** Terminal tasks after `afterSeq`, in order; `failedOnly` for the errors listing. */
export function readResultRows(
  sql: SqlStorage,
  options: { afterSeq: number; limit: number; failedOnly?: boolean },
) {
  const states = options.failedOnly ? [TASK_STATE.failed] : [TASK_STATE.succeeded, TASK_STATE.failed]
  return sql
    .exec<ResultRow>(
      `SELECT seq, custom_id, state, input, output, error, input_tokens, output_tokens, provider, model
       FROM tasks WHERE seq > ? AND state IN (${states.join(',')}) ORDER BY seq LIMIT ?`,
      options.afterSeq,
      options.limit,
    )
    .toArray()
}

export function toResultLine(row: ResultRow): ResultLine {
  if (row.state === TASK_STATE.succeeded) {
    return {
      custom_id: row.custom_id,
      status: 'succeeded',
      output: JSON.parse(row.output ?? 'null'),
      usage: { input_tokens: row.input_tokens ?? 0, output_tokens: row.output_tokens ?? 0 },
      provider: row.provider ?? undefined,
      model: row.model ?? undefined,
    }
  }
  return { custom_id: row.custom_id, status: 'failed', error: JSON.parse(row.error ?? '{}') }
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

/** CSV columns: custom_id, the task's input fields, status, its output fields, error code and message. */
export function csvColumns(task: TaskDefinition) {
  const input = objectKeys(task.input)
  const output = objectKeys(task.output)
  const header = [
    'custom_id',
    ...input,
    'status',
    ...output.map((key) => `output_${key}`),
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
      row.state === TASK_STATE.succeeded ? 'succeeded' : 'failed',
      ...output.map((key) => outputValues[key]),
      error.code,
      error.message,
    ]
      .map(csvField)
      .join(',')
  }
  return { header: header.join(','), line }
}
