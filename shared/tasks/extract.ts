// extract: structured data from a text, in the shape of a JSON schema the caller gives.
import { z } from 'zod'
import { type JsonSchema, jsonSchemaViolations } from './json-schema-check'
import { sampleOf } from './json-schema-sample'
import { CHAT_MODELS } from './models'
import { lines, replyAsJson } from './prompt'
import { defineTask, jsonAnswer } from './types'

const callerSchema = z
  .record(z.string(), z.unknown())
  .refine((schema) => schema.type === 'object', 'schema must be a JSON schema with "type": "object"')
  .refine(
    (schema) =>
      schema.properties === undefined ||
      (typeof schema.properties === 'object' && schema.properties !== null),
    'schema.properties must be an object',
  )

export const extract = defineTask({
  type: 'extract',
  description: 'Pulls structured data out of a text, in the shape of the caller’s JSON schema.',
  input: z.object({ text: z.string().trim().min(1, 'text is required').max(50_000) }),
  params: z.object({
    schema: callerSchema,
    instructions: z.string().max(2000).optional(),
  }),
  output: z.record(z.string(), z.unknown()),
  jsonSchema: (params) => params.schema,
  kind: 'chat',
  system: (params) =>
    lines(
      'You extract structured data from text. Use only what the text states; leave out what it does not say unless the schema requires it.',
      params.instructions && `Instructions: ${params.instructions}`,
      `The JSON schema to answer with:\n${JSON.stringify(params.schema)}`,
      replyAsJson('the schema'),
    ),
  user: (input) => input.text,
  check: (output, _input, params) => jsonSchemaViolations(output, params.schema as JsonSchema),
  simulate: (input, params, seed) =>
    jsonAnswer(sampleOf(params.schema as JsonSchema, { text: input.text, seed, salt: 0 })),
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: (params) => 40 + Math.round(JSON.stringify(params.schema).length / 2),
})
