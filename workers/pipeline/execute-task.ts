// Runs one task through the provider with a timeout, and sorts the outcome into a result to
// record now or a transient failure worth another delivery.
import { fnv1a } from '../../shared/hash'
import type { TaskError, TaskResult } from '../../shared/pipeline/messages'
import type { TaskDefinition } from '../../shared/tasks/types'
import { type Provider, ProviderError } from '../ai/provider'

export const DEFAULT_TASK_TIMEOUT_MS = 30_000

export type TaskOutcome =
  | TaskResult
  | { seq: number; status: 'retry'; error: TaskError; retryAfterMs?: number }

export type ExecuteOptions = {
  provider: Provider
  task: TaskDefinition
  params: unknown
  model: string | null
  attempt: number
  timeoutMs: number
}

export async function executeTask(
  item: { seq: number; customId: string; input: Record<string, unknown> },
  options: ExecuteOptions,
): Promise<TaskOutcome> {
  const { task, params, provider } = options
  const input = task.input.safeParse(item.input)
  if (!input.success) {
    return {
      seq: item.seq,
      status: 'failed',
      error: { code: 'invalid_input', message: input.error.issues[0]!.message },
    }
  }
  try {
    const result = await provider.generate({
      task,
      input: input.data,
      params,
      model: options.model,
      messages: task.prompt(input.data, params),
      seed: fnv1a(item.customId),
      attempt: options.attempt,
      signal: AbortSignal.timeout(options.timeoutMs),
    })
    const output = task.output.safeParse(result.output)
    if (!output.success) {
      return {
        seq: item.seq,
        status: 'failed',
        error: {
          code: 'invalid_output',
          message: `The model's output does not fit the task: ${output.error.issues[0]!.message}`,
        },
      }
    }
    return {
      seq: item.seq,
      status: 'succeeded',
      output: output.data,
      usage: result.usage,
      provider: result.provider,
      model: result.model,
    }
  } catch (error) {
    if (error instanceof ProviderError) {
      const failure = { code: error.code, message: error.message }
      return error.retryable
        ? { seq: item.seq, status: 'retry', error: failure, retryAfterMs: error.retryAfterMs }
        : { seq: item.seq, status: 'failed', error: failure }
    }
    if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return {
        seq: item.seq,
        status: 'retry',
        error: { code: 'timeout', message: `No answer within ${options.timeoutMs} ms.` },
      }
    }
    throw error
  }
}
