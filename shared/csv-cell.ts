// Writing CSV: the one cell encoder every CSV we hand out goes through. RFC 4180 quoting, plus
// OWASP's rule against formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab or
// CR (or NUL) is one a spreadsheet may run as a formula, so it gets a leading `'` and is quoted.
// Numbers and booleans are written as they are: their text cannot hold a formula.

/** Leading characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r\0]/
const NEEDS_QUOTES = /[",\r\n]/

/** One CSV cell: empty for null/undefined, JSON for objects and arrays, text escaped as above. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return ''
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    return String(value)
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  if (FORMULA_START.test(text)) return `"'${text.replaceAll('"', '""')}"`
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV record (without its line terminator). */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',')
}
