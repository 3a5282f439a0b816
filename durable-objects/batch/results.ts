// Result rows as the API hands them out: one JSON line per task, or CSV with the input
// columns followed by the output columns (cells escaped against formula injection by csvRow).
import { csvRow } from '../../shared/csv-cell'
import type { TaskError } from '../../shared/pipeline/messages'
import { failedLine, type ResultLine } from '../../shared/pipeline/result-line'
import type { TaskDefinition } from '../../shared/tasks/types'
import { TASK_STATE } from './state'

export type ResultRow = {
  seq: number
  custom_id: string
  input: string | null
  /** The line the consumer recorded; null for rows that failed without running (invalid, cancelled, dead-lettered). */
  line: string | null
  error: string | null
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
      `SELECT tasks.seq, custom_id, input, line, error FROM tasks LEFT JOIN result_lines USING (seq)
       WHERE tasks.seq > ? AND ${states} ORDER BY tasks.seq LIMIT ?`,
      options.afterSeq,
      options.limit,
    )
    .toArray()
}

export type ResultPageOptions = {
  format: 'jsonl' | 'csv'
  afterSeq: number
  limit: number
  failedOnly?: boolean
}

/** A page of terminal results in order, as JSON lines or CSV lines (with the header on the first page). */
export function readResultPage(sql: SqlStorage, task: TaskDefinition, options: ResultPageOptions) {
  const rows = readResultRows(sql, options)
  const columns = csvColumns(task)
  return {
    header: options.format === 'csv' && options.afterSeq === 0 ? columns.header : null,
    lines: rows.map((row) => (options.format === 'csv' ? columns.line(row) : resultLineText(row))),
    cursors: rows.map((row) => row.seq),
    lastSeq: rows.at(-1)?.seq ?? null,
  }
}

/** The row's result line as JSON text. */
export function resultLineText(row: ResultRow): string {
  return row.line ?? JSON.stringify(failedLine(row.custom_id, JSON.parse(row.error ?? '{}')))
}

function objectKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape
  return shape && typeof shape === 'object' ? Object.keys(shape) : []
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
    const result: ResultLine = JSON.parse(resultLineText(row))
    const outputValues = (result.output ?? {}) as Record<string, unknown>
    const error: Partial<TaskError> = result.error ?? {}
    return csvRow([
      row.custom_id,
      ...input.map((key) => inputValues[key]),
      result.status,
      ...output.map((key) => outputValues[key]),
      (result.violations ?? []).join('; '),
      error.code,
      error.message,
    ])
  }
  return { header: csvRow(header), line }
}
