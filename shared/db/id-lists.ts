// D1 binds at most 100 parameters per statement, so a list of ids in `IN (…)` goes in slices.

/** Ids per `IN (…)` list, leaving room for the statement's other parameters. */
export const IDS_PER_STATEMENT = 90

/** The ids in slices that each fit one statement. */
export function idSlices<T>(ids: T[], size = IDS_PER_STATEMENT): T[][] {
  return Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, (i + 1) * size))
}
