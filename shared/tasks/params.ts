// A task's params as a request gives them: every name checked against the task's own, so a typo
// (`lenght`) is refused with the known names rather than silently ignored, then parsed with defaults.
import { z } from 'zod'
import { errors } from '../errors'
import type { TaskDefinition } from './types'

/** The object schema inside defaults and pipes, whose keys are the names a value may have. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  let current: z.ZodType | undefined = schema
  for (let depth = 0; current && depth < 8; depth++) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, z.ZodType>
    const def = current._zod.def as { innerType?: z.ZodType; in?: z.ZodType }
    current = def.innerType ?? def.in
  }
  return null
}

/** The names of a task's input fields (the columns a file row is read into). */
export function inputNames(task: TaskDefinition): string[] {
  return Object.keys(objectShape(task.input) ?? {})
}

/** The names of a task's params. */
export function paramNames(task: TaskDefinition): string[] {
  return Object.keys(objectShape(task.params) ?? {})
}

/** The params with their defaults, or a 400 naming each unknown or invalid one (`params.<name>`). */
export function parseTaskParams(task: TaskDefinition, params: Record<string, unknown> | undefined) {
  const known = paramNames(task)
  const unknown = Object.keys(params ?? {}).filter((name) => !known.includes(name))
  if (unknown.length)
    throw errors.validation(
      `Unknown param${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')} for ${task.type}; it takes ${known.length ? known.join(', ') : 'no params'}.`,
      unknown.map((name) => ({
        path: `params.${name}`,
        message: `Unknown param; known: ${known.join(', ') || 'none'}.`,
      })),
    )
  const parsed = task.params.safeParse(params ?? {})
  if (!parsed.success)
    throw errors.validation(
      'The params do not fit the task.',
      parsed.error.issues.map((issue) => ({
        path: ['params', ...issue.path].join('.'),
        message: issue.message,
      })),
    )
  return parsed.data as Record<string, unknown>
}

/** A stored batch's params with their defaults, for reading its results; {} when they no longer parse. */
export function storedParams(task: TaskDefinition, params: Record<string, unknown> | undefined) {
  const parsed = task.params.safeParse(params ?? {})
  return parsed.success ? (parsed.data as Record<string, unknown>) : {}
}
