// The shape of a marketing task type: what it takes, how it asks the model, what it returns.
import type { z } from 'zod'

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string }

export type TaskDefinition<
  Input extends z.ZodType = z.ZodType,
  Params extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
> = {
  type: string
  description: string
  /** One row's input, after the column mapping. */
  input: Input
  /** Options for the whole batch. */
  params: Params
  output: Output
  prompt: (input: z.infer<Input>, params: z.infer<Params>) => ChatMessage[]
  /**
   * A deterministic output of the right shape and within the task's constraints, for the
   * simulated provider. `seed` varies per task so outputs differ between rows.
   */
  simulate: (input: z.infer<Input>, params: z.infer<Params>, seed: number) => z.infer<Output>
}

/** Keeps the generic types of a definition while checking it against TaskDefinition. */
export function defineTask<Input extends z.ZodType, Params extends z.ZodType, Output extends z.ZodType>(
  definition: TaskDefinition<Input, Params, Output>,
): TaskDefinition<Input, Params, Output> {
  return definition
}
