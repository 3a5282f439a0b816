// The task catalogue: what each task type takes (its input fields, i.e. the columns a file needs),
// its params with their defaults, what it returns and its output limits, as JSON Schema, so a person
// or the web app can see what a CSV needs before uploading it.
import { z } from '@hono/zod-openapi'
import { requireTask, TASK_TYPES } from '../../../shared/tasks'
import type { TaskDefinition } from '../../../shared/tasks/types'
import { createRouter, json, protectedRoute } from '../openapi'

const jsonSchema = z
  .record(z.string(), z.unknown())
  .openapi({ description: 'A JSON Schema (draft 2020-12).' })

const taskSchema = z
  .object({
    object: z.literal('task'),
    type: z.string().openapi({ example: 'product_description' }),
    description: z.string(),
    kind: z.string().openapi({ description: 'The kind of model call: chat, embed, classify_text, …' }),
    input: jsonSchema.openapi({
      description: "One row's fields (a file's columns, after the mapping), with their limits.",
    }),
    params: jsonSchema.openapi({ description: 'Options for the whole batch, with their defaults.' }),
    output: jsonSchema.openapi({ description: "One task's output, with the limits it is checked against." }),
    variants: z.number().int(),
  })
  .openapi('Task')

/** Zod schemas as JSON Schema; the input side, so defaults show and optional fields are optional. */
const asJsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>

function present(task: TaskDefinition): z.infer<typeof taskSchema> {
  return {
    object: 'task',
    type: task.type,
    description: task.description,
    kind: task.kind,
    input: asJsonSchema(task.input),
    params: asJsonSchema(task.params),
    output: asJsonSchema(task.output),
    variants: task.variants,
  }
}

export const taskRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Tasks'],
      summary: 'Every task type: its inputs, params with defaults, outputs and limits',
      responses: {
        200: json(z.object({ object: z.literal('list'), data: z.array(taskSchema) }), 'The task catalogue.'),
      },
    }),
    (c) =>
      c.json({ object: 'list' as const, data: TASK_TYPES.map((type) => present(requireTask(type))) }, 200),
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{task}',
      tags: ['Tasks'],
      summary: 'One task type',
      request: { params: z.object({ task: z.string().min(1) }) },
      responses: { 200: json(taskSchema, 'The task.') },
    }),
    (c) => c.json(present(requireTask(c.req.valid('param').task, 404)), 200),
  )
