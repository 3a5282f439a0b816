// Turns one row into the model call its task makes: the task's instructions, the tenant's brand
// voice and words to avoid, and the row's user message (or the tenant's template, rendered).
import { z } from 'zod'
import type { Brand, TemplateSnapshot } from '../pipeline/messages'
import type { ChatMessage, ModelCall } from './model-call'
import { renderTemplate } from './template'
import type { TaskDefinition } from './types'

export type CallContext = {
  brand: Brand | null
  template: TemplateSnapshot | null
  /** The row's columns, which template variables read. */
  row: Record<string, unknown>
}

export function brandInstructions(brand: Brand | null): string | null {
  if (!brand) return null
  const lines = [
    brand.voice && `Brand voice: ${brand.voice}.`,
    brand.audience && `Audience: ${brand.audience}.`,
    brand.language && `Write in ${brand.language}.`,
    brand.avoid_words.length > 0 && `Never use these words: ${brand.avoid_words.join(', ')}.`,
  ].filter(Boolean)
  return lines.length ? lines.join('\n') : null
}

/** The JSON schema a chat task's answer must match (computed once per batch, not per row). */
export function answerSchema(task: TaskDefinition, params: unknown): Record<string, unknown> {
  return task.jsonSchema?.(params) ?? (z.toJSONSchema(task.output) as Record<string, unknown>)
}

export function buildCall(
  task: TaskDefinition,
  input: unknown,
  params: unknown,
  context: CallContext & { schema: Record<string, unknown> },
): ModelCall {
  if (task.call) return task.call(input, params)
  const system = [task.system!(params), brandInstructions(context.brand), context.template?.system]
    .filter(Boolean)
    .join('\n\n')
  const messages: ChatMessage[] = [
    { role: 'system', content: system },
    {
      role: 'user',
      content: context.template
        ? renderTemplate(context.template.body, context.row)
        : task.user!(input, params),
    },
  ]
  return { kind: 'chat', messages, json: { name: task.type, schema: context.schema } }
}

/** The same call with the rejected answer and what was wrong with it, asking for another. */
export function withFeedback(call: ModelCall, answer: string, problems: string[]): ModelCall {
  if (call.kind !== 'chat') return call
  return {
    ...call,
    messages: [
      ...call.messages,
      { role: 'assistant', content: answer },
      {
        role: 'user',
        content: `That answer breaks these rules: ${problems.join('; ')}. Answer again, keeping every limit.`,
      },
    ],
  }
}
