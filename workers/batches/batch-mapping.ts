// A file batch's mapping, settled when it is created: the columns it names checked against the
// file's header, and each of the task's input fields (and custom_id) the file has a column for
// under another spelling added (`Title` → title, `Product Name` → product_name). The batch then
// reads every row with it, so nothing fails later for a column the file never had.
import type { FileRow } from '../../shared/db/schema'
import { AppError } from '../../shared/errors'
import { type Mapping, mappedColumns } from '../../shared/ingest/rows'
import type { TaskDefinition } from '../../shared/tasks/types'
import { fileColumns } from './sample-rows'

/** A column name for matching: case, spaces, hyphens and underscores do not count. */
const fold = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '')

function inputFields(task: TaskDefinition): string[] {
  return Object.keys((task.input as { shape?: object }).shape ?? {})
}

export function resolveMapping(
  task: TaskDefinition,
  given: Mapping | null,
  columns: string[],
): Mapping | null {
  const missing = mappedColumns(given).filter((column) => !columns.includes(column))
  if (missing.length)
    throw new AppError(
      'unknown_columns',
      400,
      `The mapping names column${missing.length > 1 ? 's' : ''} the file does not have: ${missing.join(', ')}. Its columns: ${columns.join(', ')}.`,
      { missing, columns },
    )
  const mapping: Mapping = { ...given }
  for (const field of [...inputFields(task), 'custom_id']) {
    if (field in mapping || columns.includes(field)) continue
    const column = columns.find((name) => fold(name) === fold(field))
    if (column) mapping[field] = column
  }
  return Object.keys(mapping).length ? mapping : null
}

/** The mapping a batch of `file` (or of inline items, used as given) runs with. */
export async function batchMapping(
  env: Env,
  task: TaskDefinition,
  given: Mapping | null,
  file: FileRow | undefined,
): Promise<Mapping | null> {
  if (!file) return given
  const columns = await fileColumns(env, file)
  return columns ? resolveMapping(task, given, columns) : given
}
