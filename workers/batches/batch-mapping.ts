// A file batch's mapping, settled when it is created: the columns it names checked against the
// file's header, and each of the task's input fields (and custom_id) the file has a column for
// under another spelling added (`Title` → title, `Product Name` → product_name). The batch then
// reads every row with it, so nothing fails later for a column the file never had.
import type { FileRow } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { type Mapping, mappedColumns } from '../../shared/ingest/rows'
import { inputNames } from '../../shared/tasks/params'
import type { TaskDefinition } from '../../shared/tasks/types'
import { fileColumns } from './sample-rows'

/** A column name for matching: case, spaces, hyphens and underscores do not count. */
export const foldColumnName = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '')

function requireColumns(what: string, named: readonly string[], columns: string[]) {
  const missing = [...new Set(named)].filter((column) => !columns.includes(column))
  if (missing.length)
    throw new AppError(
      'unknown_columns',
      400,
      `${what} names column${missing.length > 1 ? 's' : ''} the file does not have: ${missing.join(', ')}. Its columns: ${columns.join(', ')}.`,
      { missing, columns },
    )
}

export function resolveMapping(
  task: TaskDefinition,
  given: Mapping | null,
  columns: string[],
  skipBlank: readonly string[] = [],
): Mapping | null {
  requireColumns('The mapping', mappedColumns(given), columns)
  requireColumns('skip_blank', skipBlank, columns)
  const mapping: Mapping = { ...given }
  for (const field of [...inputNames(task), 'custom_id']) {
    if (field in mapping || columns.includes(field)) continue
    const column = columns.find((name) => foldColumnName(name) === foldColumnName(field))
    if (column) mapping[field] = column
  }
  return Object.keys(mapping).length ? mapping : null
}

/** The mapping a batch of `file` (or of inline items, used as given) runs with. */
export async function batchMapping(
  env: Env,
  task: TaskDefinition,
  body: { mapping?: Mapping; skip_blank?: string[] },
  file: FileRow | undefined,
): Promise<Mapping | null> {
  const given = body.mapping ?? null
  if (!file) {
    if (body.skip_blank) throw errors.validation('skip_blank applies to batches of an uploaded file.')
    return given
  }
  const columns = await fileColumns(env, file)
  return columns ? resolveMapping(task, given, columns, body.skip_blank) : given
}
