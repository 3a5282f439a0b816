// What the Workers AI provider needs of the `AI` binding: `run(model, inputs, options)`. The
// binding itself satisfies it, and so does `aiOverRest` for local development with an account.

export type AiRunOptions = { signal?: AbortSignal }

export type AiRunner = {
  run(model: string, inputs: Record<string, unknown>, options?: AiRunOptions): Promise<unknown>
}
