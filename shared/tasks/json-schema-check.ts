// A small JSON Schema validator for caller-given schemas (the extract task): type, properties,
// required, items, enum, minimum/maximum, minLength/maxLength and additionalProperties, with the
// path of each violation.

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null'

export type JsonSchema = {
  type?: JsonType | JsonType[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  enum?: unknown[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value as JsonType
}

function hasType(value: unknown, type: JsonType): boolean {
  const actual = jsonTypeOf(value)
  return actual === type || (type === 'number' && actual === 'integer')
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

function objectViolations(value: Record<string, unknown>, schema: JsonSchema, path: string): string[] {
  const violations: string[] = []
  const properties = schema.properties ?? {}
  for (const key of schema.required ?? [])
    if (!Object.hasOwn(value, key))
      violations.push(`${path}: missing required property ${JSON.stringify(key)}`)
  for (const [key, child] of Object.entries(value)) {
    const at = childPath(path, key)
    if (Object.hasOwn(properties, key)) violations.push(...jsonSchemaViolations(child, properties[key]!, at))
    else if (schema.additionalProperties === false)
      violations.push(`${at}: property not allowed by the schema`)
    else if (typeof schema.additionalProperties === 'object')
      violations.push(...jsonSchemaViolations(child, schema.additionalProperties, at))
  }
  return violations
}

function scalarViolations(value: unknown, schema: JsonSchema, path: string): string[] {
  const violations: string[] = []
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      violations.push(`${path}: ${value} is below the minimum ${schema.minimum}`)
    if (schema.maximum !== undefined && value > schema.maximum)
      violations.push(`${path}: ${value} is above the maximum ${schema.maximum}`)
  }
  if (typeof value === 'string') {
    const length = Array.from(value).length
    if (schema.minLength !== undefined && length < schema.minLength)
      violations.push(`${path}: ${length} characters; the minimum is ${schema.minLength}`)
    if (schema.maxLength !== undefined && length > schema.maxLength)
      violations.push(`${path}: ${length} characters; the maximum is ${schema.maxLength}`)
  }
  return violations
}

/**
 * Where a value breaks a schema, each as "<path>: <problem>"; empty when it fits.
 * @example jsonSchemaViolations({ price: '9' }, { type: 'object', properties: { price: { type: 'number' } } })
 * // ['$.price: expected number, got string']
 */
export function jsonSchemaViolations(value: unknown, schema: JsonSchema, path = '$'): string[] {
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type]
    if (!types.some((type) => hasType(value, type))) {
      const actual = jsonTypeOf(value)
      return [`${path}: expected ${types.join(' or ')}, got ${actual === 'integer' ? 'number' : actual}`]
    }
  }
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value)))
    return [
      `${path}: ${JSON.stringify(value)} is not one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}`,
    ]
  if (Array.isArray(value))
    return schema.items
      ? value.flatMap((item, index) => jsonSchemaViolations(item, schema.items!, childPath(path, index)))
      : []
  if (jsonTypeOf(value) === 'object') return objectViolations(value as Record<string, unknown>, schema, path)
  return scalarViolations(value, schema, path)
}
