// A value that fits a caller-given JSON schema, for simulated extract answers: strings come from
// the input text, numbers and choices from the seed.
import type { JsonSchema, JsonType } from './json-schema-check'
import { pick, seeded, shortenUntil } from './simulate-text'

type Context = { text: string; seed: number; salt: number }

function codePoints(text: string): number {
  return Array.from(text).length
}

function sampleString(schema: JsonSchema, context: Context): string {
  const max = schema.maxLength ?? 60
  const min = schema.minLength ?? 0
  const words = context.text.replace(/\s+/g, ' ').trim()
  let value = shortenUntil(words, (part) => codePoints(part) <= max && part.split(' ').length <= 6)
  while (codePoints(value) < min) value += value ? ` ${value}` : 'sample'
  return Array.from(value).slice(0, max).join('')
}

function sampleNumber(schema: JsonSchema, integer: boolean, context: Context): number {
  const low = schema.minimum ?? 0
  const high = schema.maximum ?? Math.max(low, 0) + 100
  const value = low + seeded(context.seed, context.salt) * (high - low)
  if (integer) return Math.min(Math.floor(high), Math.max(Math.ceil(low), Math.round(value)))
  return Math.min(high, Math.max(low, Math.round(value * 100) / 100))
}

function mainType(schema: JsonSchema): JsonType | undefined {
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
  return types.find((type) => type !== 'null') ?? types[0] ?? (schema.properties ? 'object' : undefined)
}

/** A value of the schema's type within its bounds; every property of an object is filled. */
export function sampleOf(schema: JsonSchema, context: Context): unknown {
  const next = { ...context, salt: context.salt + 1 }
  if (schema.enum?.length) return pick(schema.enum, context.seed, context.salt)
  switch (mainType(schema)) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, child], index) => [
          key,
          sampleOf(child, { ...context, salt: context.salt * 31 + index + 1 }),
        ]),
      )
    case 'array':
      return schema.items ? [sampleOf(schema.items, next)] : []
    case 'number':
      return sampleNumber(schema, false, context)
    case 'integer':
      return sampleNumber(schema, true, context)
    case 'boolean':
      return seeded(context.seed, context.salt) < 0.5
    case 'null':
      return null
    default:
      return sampleString(schema, context)
  }
}
