// Many rows into one table as bound values, as many rows a statement as Durable Object SQL's
// 100 bound values allow. For rows of few columns with long text (result lines) it costs about a
// third less than one JSON array for json_each, which SQLite parses and unescapes again; for rows
// of many short columns (task rows at ingest) the statement per 16 rows costs more, so those stay JSON.
const MAX_BOUND_VALUES = 100

export function insertMany(
  sql: SqlStorage,
  into: { table: string; columns: readonly string[] },
  rows: readonly (readonly SqlStorageValue[])[],
): void {
  const perStatement = Math.floor(MAX_BOUND_VALUES / into.columns.length)
  const placeholders = `(${into.columns.map(() => '?').join(', ')})`
  for (let start = 0; start < rows.length; start += perStatement) {
    const group = rows.slice(start, start + perStatement)
    sql.exec(
      `INSERT INTO ${into.table} (${into.columns.join(', ')}) VALUES ${group.map(() => placeholders).join(', ')}`,
      ...group.flat(),
    )
  }
}
