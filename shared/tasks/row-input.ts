// Whether a row can run: with a template it needs the template's variables, otherwise it must
// fit the task's input schema. Ingest, the consumer and realtime calls all ask the same way.
import type { TemplateSnapshot } from '../pipeline/messages'
import { missingVariables } from './template'
import type { TaskDefinition } from './types'

export type RowInput = { ok: true; input: unknown } | { ok: false; message: string }

export function readRowInput(
  task: TaskDefinition,
  template: TemplateSnapshot | null,
  row: Record<string, unknown>,
): RowInput {
  if (template) {
    const missing = missingVariables(template.variables, row)
    return missing.length
      ? { ok: false, message: `the template needs ${missing.join(', ')}, which the row lacks` }
      : { ok: true, input: row }
  }
  const parsed = task.input.safeParse(row)
  if (parsed.success) return { ok: true, input: parsed.data }
  const issue = parsed.error.issues[0]!
  const path = issue.path.join('.')
  const top = issue.path[0]
  if (issue.path.length === 1 && typeof top === 'string' && row[top] === undefined) {
    const columns = Object.keys(row)
    return {
      ok: false,
      message: `${top} is missing; the row has ${columns.length ? columns.join(', ') : 'no columns'} (map one with "mapping": { "${top}": "<column>" })`,
    }
  }
  return { ok: false, message: `${path ? `${path}: ` : ''}${issue.message}` }
}
