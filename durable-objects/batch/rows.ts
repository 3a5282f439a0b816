// Turns input rows into task rows: validates each against the task's input schema, names it,
// refuses duplicate custom_ids, and writes them all with one statement. A bad row becomes a
// failed task with the reason; the rest of the batch goes on.
import type { TaskError, TemplateSnapshot } from '../../shared/pipeline/messages'
import { readRowInput } from '../../shared/tasks/row-input'
import type { TaskDefinition } from '../../shared/tasks/types'
import { byteBudgetGroups, STATEMENT_PARAMETER_BYTES } from './json-groups'
import { TASK_STATE } from './state'

/** One input row: its fields, or why it could not be read. */
export type InputRow =
  | { customId: string | null; fields: Record<string, unknown> }
  | { customId: null; error: string; code?: string }

type TaskRow = [
  seq: number,
  customId: string,
  input: string | null,
  state: number,
  error: string | null,
  rerunnable: 0 | 1,
]

const CUSTOM_ID_MAX = 256
export const CANCELLED_MESSAGE = 'The batch was cancelled before this task ran.'

/** A row's input: its fields, with mapped input fields taken from their columns. */
export function applyMapping(fields: Record<string, unknown>, mapping: Record<string, string> | null) {
  if (!mapping) return fields
  const input = { ...fields }
  for (const [field, column] of Object.entries(mapping)) input[field] = fields[column]
  return input
}

function failure(code: string, message: string): string {
  return JSON.stringify({ code, message } satisfies TaskError)
}

/** Reads `custom_id` from a file row's fields; the rest of the fields are the input. */
export function splitCustomId(value: Record<string, unknown>): {
  customId: string | null
  fields: Record<string, unknown>
} {
  const { custom_id, ...fields } = value
  const customId =
    typeof custom_id === 'string' || typeof custom_id === 'number' ? String(custom_id).trim() : ''
  return { customId: customId || null, fields }
}

export function insertRows(
  sql: SqlStorage,
  rows: InputRow[],
  options: {
    task: TaskDefinition
    /** With a template, a row needs the template's variables rather than the task's input fields. */
    template: TemplateSnapshot | null
    mapping: Record<string, string> | null
    firstSeq: number
    cancelled: boolean
  },
): { inserted: number; failed: number } {
  const named = rows.map((row, index) => ({
    row,
    seq: options.firstSeq + index,
    customId: row.customId ?? `row-${options.firstSeq + index}`,
  }))
  const existing = new Set<string>()
  for (const group of byteBudgetGroups(
    named.map((n) => n.customId),
    STATEMENT_PARAMETER_BYTES,
  )) {
    const rows = sql.exec<{ custom_id: string }>(
      'SELECT custom_id FROM tasks WHERE custom_id IN (SELECT value FROM json_each(?))',
      group,
    )
    for (const row of rows) existing.add(row.custom_id)
  }

  let failed = 0
  const taskRows: TaskRow[] = named.map(({ row, seq, customId }) => {
    const fail = (code: string, message: string): TaskRow => {
      failed++
      return [seq, customId, null, TASK_STATE.failed, failure(code, message), 0]
    }
    if ('error' in row) return fail(row.code ?? 'unparseable_row', `Row ${seq}: ${row.error}`)
    if (customId.length > CUSTOM_ID_MAX)
      return fail('invalid_custom_id', `custom_id is longer than ${CUSTOM_ID_MAX} characters.`)
    if (existing.has(customId))
      return fail('duplicate_custom_id', `custom_id "${customId}" appears earlier in the batch.`)
    existing.add(customId)
    const fields = applyMapping(row.fields, options.mapping)
    const read = readRowInput(options.task, options.template, fields)
    if (!read.ok) return fail('invalid_input', `Row ${seq}: ${read.message}`)
    const inputJson = JSON.stringify(read.input)
    if (options.cancelled) {
      failed++
      return [seq, customId, inputJson, TASK_STATE.failed, failure('cancelled', CANCELLED_MESSAGE), 1]
    }
    return [seq, customId, inputJson, TASK_STATE.pending, null, 0]
  })

  for (const group of byteBudgetGroups(taskRows, STATEMENT_PARAMETER_BYTES)) {
    sql.exec(
      `INSERT INTO tasks (seq, custom_id, input, state, error, rerunnable)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
              json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]')
       FROM json_each(?)`,
      group,
    )
  }
  return { inserted: taskRows.length, failed }
}
