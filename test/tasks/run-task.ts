// Runs a task definition the way the pipeline does, without a provider: parse the row and the
// params, read an answer into an output, then check the output's limits.
import { answerJson } from '../../shared/tasks/answer'
import type { ProviderOutput } from '../../shared/tasks/model-call'
import type { TaskDefinition } from '../../shared/tasks/types'

// biome-ignore lint/suspicious/noExplicitAny: any definition, whatever its schemas
type AnyTask = TaskDefinition<any, any, any>

/** The output an answer becomes, and the task's violations for it. */
export function readAnswer(task: AnyTask, answer: ProviderOutput, rawInput: unknown, rawParams?: unknown) {
  const input = task.input.parse(rawInput)
  const params = task.params.parse(rawParams)
  const candidate = task.parse ? task.parse(answer, input, params) : answerJson(answer)
  const output = task.output.parse(candidate)
  return { output, violations: task.check?.(output, input, params) ?? [] }
}

/** The violations `check` finds in an output given as a plain object. */
export function violationsOf(
  task: AnyTask,
  output: unknown,
  rawInput: unknown,
  rawParams?: unknown,
): string[] {
  const input = task.input.parse(rawInput)
  const params = task.params.parse(rawParams)
  return task.check?.(task.output.parse(output), input, params) ?? []
}

/** The simulated answer for a seed, read like a real one. */
export function simulated(task: AnyTask, rawInput: unknown, rawParams: unknown, seed: number) {
  const input = task.input.parse(rawInput)
  const params = task.params.parse(rawParams)
  return readAnswer(task, task.simulate(input, params, seed), rawInput, rawParams)
}
