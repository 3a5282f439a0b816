import { describe, expect, it } from 'vitest'
import { type JsonSchema, jsonSchemaViolations } from '../../shared/tasks/json-schema-check'
import { sampleOf } from '../../shared/tasks/json-schema-sample'

const product: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 10 },
    price: { type: 'number', minimum: 0, maximum: 1000 },
    stock: { type: 'integer' },
    colour: { enum: ['red', 'blue'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 5 } },
    dimensions: {
      type: 'object',
      properties: { width: { type: 'number' } },
      required: ['width'],
      additionalProperties: false,
    },
    note: { type: ['string', 'null'] },
  },
  required: ['name', 'price'],
}

describe('jsonSchemaViolations', () => {
  it('accepts a value that fits', () => {
    const value = {
      name: 'Mug',
      price: 12.5,
      stock: 3,
      colour: 'red',
      tags: ['home'],
      dimensions: { width: 9 },
      note: null,
      extra: 'allowed: additionalProperties is not false at the top',
    }
    expect(jsonSchemaViolations(value, product)).toEqual([])
  })

  it('names missing required properties', () => {
    expect(jsonSchemaViolations({ name: 'Mug' }, product)).toEqual(['$: missing required property "price"'])
  })

  it('reports wrong types with their path, telling integers from numbers', () => {
    expect(jsonSchemaViolations({ name: 'Mug', price: '12', stock: 1.5, note: 3 }, product)).toEqual([
      '$.price: expected number, got string',
      '$.stock: expected integer, got number',
      '$.note: expected string or null, got number',
    ])
    expect(jsonSchemaViolations([1], product)).toEqual(['$: expected object, got array'])
  })

  it('checks bounds, lengths in code points and enums', () => {
    expect(
      jsonSchemaViolations({ name: 'M', price: -1, colour: 'green', tags: ['kitchen'] }, product),
    ).toEqual([
      '$.name: 1 characters; the minimum is 2',
      '$.price: -1 is below the minimum 0',
      '$.colour: "green" is not one of "red", "blue"',
      '$.tags[0]: 7 characters; the maximum is 5',
    ])
    expect(jsonSchemaViolations({ name: '😀😀', price: 1001 }, product)).toEqual([
      '$.price: 1001 is above the maximum 1000',
    ])
  })

  it('rejects properties a closed object does not declare, and quotes odd keys', () => {
    const value = { name: 'Mug', price: 1, dimensions: { width: 1, 'depth cm': 2 } }
    expect(jsonSchemaViolations(value, product)).toEqual([
      '$.dimensions["depth cm"]: property not allowed by the schema',
    ])
  })

  it('validates extra properties against a schema given as additionalProperties', () => {
    const map: JsonSchema = { type: 'object', additionalProperties: { type: 'number' } }
    expect(jsonSchemaViolations({ a: 1, b: 'x' }, map)).toEqual(['$.b: expected number, got string'])
  })
})

describe('sampleOf', () => {
  it('makes values that fit the schema for any seed', () => {
    for (let seed = 0; seed < 200; seed++) {
      const value = sampleOf(product, { text: 'A large blue ceramic mug for coffee lovers', seed, salt: 0 })
      expect(jsonSchemaViolations(value, product)).toEqual([])
    }
  })
})
