// Reading a model's answer: JSON out of chat text (models wrap it in code fences or prose), the
// task's output schema and constraints, and the brand's words to avoid anywhere in an output.
import { answerJson } from '../../shared/tasks/answer'
import type { ProviderOutput } from '../../shared/tasks/model-call'
import type { TaskDefinition } from '../../shared/tasks/types'

export class UnreadableAnswer extends Error {}

/** The JSON value in a chat answer; throws UnreadableAnswer when there is none. */
export function parseJsonAnswer(answer: ProviderOutput): unknown {
  if (answer.kind !== 'text') throw new UnreadableAnswer(`the answer is ${answer.kind}, not JSON text`)
  const value = answerJson(answer)
  if (value === undefined)
    throw new UnreadableAnswer(`the answer is not JSON: "${answer.text.trim().slice(0, 80)}"`)
  return value
}

/** The task's output from an answer, or what keeps the answer from being one. */
export function readAnswer(
  task: TaskDefinition,
  answer: ProviderOutput,
  input: unknown,
  params: unknown,
): { output: unknown; problems: string[]; fits: boolean } {
  let candidate: unknown
  try {
    candidate = (task.parse ?? parseJsonAnswer)(answer, input, params)
  } catch (error) {
    if (!(error instanceof UnreadableAnswer)) throw error
    return { output: null, problems: [error.message], fits: false }
  }
  const output = task.output.safeParse(candidate)
  if (!output.success) {
    const issue = output.error.issues[0]!
    const path = issue.path.join('.')
    return {
      output: null,
      problems: [`the answer does not fit the output format: ${path ? `${path}: ` : ''}${issue.message}`],
      fits: false,
    }
  }
  return { output: output.data, problems: task.check?.(output.data, input, params) ?? [], fits: true }
}

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out)
  else if (value && typeof value === 'object') for (const item of Object.values(value)) stringsIn(item, out)
  return out
}

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** One violation per avoided word or phrase the output uses (whole words, any case). */
export function avoidedWordsIn(output: unknown, avoid: string[]): string[] {
  if (!avoid.length) return []
  const text = stringsIn(output).join('\n')
  return avoid
    .filter((word) =>
      new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'iu').test(text),
    )
    .map((word) => `uses "${word}", which the brand avoids`)
}
