// Reads task inputs out of a JSON document by a tenant's mapping: each input field names a
// JSON pointer (RFC 6901, `/product/name`) or a dot path (`product.name`, `items.0.sku`).

export function readPath(document: unknown, path: string): unknown {
  const steps = path.startsWith('/')
    ? path
        .slice(1)
        .split('/')
        .map((step) => step.replaceAll('~1', '/').replaceAll('~0', '~'))
    : path.split('.')
  let value = document
  for (const step of steps) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, step)) return undefined
    value = (value as Record<string, unknown>)[step]
  }
  return value
}

/** Task inputs are text: scalars become strings, lists of scalars are joined, objects become JSON. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null))
    return value.join(', ')
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

export type MappedInput = { ok: true; input: Record<string, string> } | { ok: false; missing: string[] }

export function mapFields(document: unknown, fields: Record<string, string>): MappedInput {
  const input: Record<string, string> = {}
  const missing: string[] = []
  for (const [field, path] of Object.entries(fields)) {
    const value = readPath(document, path)
    if (value === undefined || value === null) missing.push(`${field} ← ${path}`)
    else input[field] = asText(value)
  }
  return missing.length ? { ok: false, missing } : { ok: true, input }
}
