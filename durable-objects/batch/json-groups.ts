/** Durable Object SQLite refuses strings over 2 MB, so many rows go in as several JSON arrays. */
export const STATEMENT_PARAMETER_BYTES = 512 * 1024

/** Serialises items as JSON arrays of at most about `budget` characters each. */
export function* byteBudgetGroups(items: unknown[], budget: number): Generator<string> {
  let group: string[] = []
  let size = 0
  for (const item of items) {
    const json = JSON.stringify(item)
    if (group.length && size + json.length > budget) {
      yield `[${group.join(',')}]`
      group = []
      size = 0
    }
    group.push(json)
    size += json.length + 1
  }
  if (group.length) yield `[${group.join(',')}]`
}
