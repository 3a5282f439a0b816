// Custom prompt templates: `{{variable}}` placeholders filled from a row's input columns.
// Variables are listed when a template is saved, so a batch naming a column it lacks is refused
// at creation rather than failing row by row.

const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g

/** The distinct variable names of a template body, in order of first use. */
export function templateVariables(body: string): string[] {
  return [...new Set(Array.from(body.matchAll(VARIABLE), (match) => match[1]!))]
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && String(value).trim() !== ''
}

/** Variables the row has no value for. */
export function missingVariables(variables: string[], row: Record<string, unknown>): string[] {
  return variables.filter((name) => !present(row[name]))
}

export function renderTemplate(body: string, row: Record<string, unknown>): string {
  return body.replace(VARIABLE, (_, name: string) => {
    const value = row[name]
    return typeof value === 'string' ? value : JSON.stringify(value)
  })
}
