// The shape of a marketing task type: what it takes, how it asks the model, what it returns,
// which limits its output must keep, and which model it runs on by default.
import type { z } from 'zod'
import type { ContentPart, ModelCall, ProviderOutput } from './model-call'

export type { ChatMessage } from './model-call'

export const PROVIDER_SLUGS = ['workers-ai', 'openai', 'anthropic', 'simulated'] as const
export type ProviderSlug = (typeof PROVIDER_SLUGS)[number]

export type TaskDefinition<
  Input extends z.ZodType = z.ZodType,
  Params extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
> = {
  type: string
  description: string
  /** One row's input, after the column mapping. */
  input: Input
  /** Options for the whole batch (variants, channel, labels, target locale…), with defaults. */
  params: Params
  /** The output's shape. For chat tasks it is also sent to the model as the JSON schema to answer with. */
  output: Output
  /** The kind of model call the task makes. */
  kind: ModelCall['kind']
  /** Chat tasks: the instructions (format and limits). Brand voice and template text are added to it. */
  system?: (params: z.infer<Params>) => string
  /** Chat tasks: the user message for one row. A custom template replaces it. */
  user?: (input: z.infer<Input>, params: z.infer<Params>) => string | ContentPart[]
  /** Other tasks: the whole model call for one row. */
  call?: (input: z.infer<Input>, params: z.infer<Params>) => ModelCall
  /**
   * Chat tasks whose answer schema depends on the params (extract: the caller's schema; classify: the
   * labels as an enum) or differs from `output` (fields the task computes). Default: `output` as JSON schema.
   */
  jsonSchema?: (params: z.infer<Params>) => Record<string, unknown>
  /** The provider's answer → a candidate output (validated against `output` after). Chat default: the JSON in the text. */
  parse?: (answer: ProviderOutput, input: z.infer<Input>, params: z.infer<Params>) => unknown
  /** Broken constraints of a schema-valid output, each in words (e.g. "headline 2 is 34 characters; the limit is 30"). */
  check?: (output: z.infer<Output>, input: z.infer<Input>, params: z.infer<Params>) => string[]
  /** What a model would answer: deterministic per seed, shaped like a real answer and within the limits. */
  simulate: (input: z.infer<Input>, params: z.infer<Params>, seed: number) => ProviderOutput
  /** Default route: the model this task uses on each provider that can run it. */
  models: Partial<Record<ProviderSlug, string>>
  /** How many variants one task returns by default (1 where the task has no variants). */
  variants: number
  /** Output tokens to expect from one task, for estimates. */
  expectedOutputTokens: (params: z.infer<Params>) => number
  /**
   * Tasks whose output holds lists (headlines, subject variants, posts): how many items each list
   * has under these params, so a results CSV gives every item a column of its own.
   */
  listLengths?: (params: z.infer<Params>) => Record<string, number>
}

/** Keeps the generic types of a definition while checking it against TaskDefinition. */
export function defineTask<Input extends z.ZodType, Params extends z.ZodType, Output extends z.ZodType>(
  definition: TaskDefinition<Input, Params, Output>,
): TaskDefinition<Input, Params, Output> {
  return definition
}

/** The simulated answer of a chat task: its output as JSON text, as a model in JSON mode gives it. */
export function jsonAnswer(value: unknown): ProviderOutput {
  return { kind: 'text', text: JSON.stringify(value), finishReason: 'stop' }
}
