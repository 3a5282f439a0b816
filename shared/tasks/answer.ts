// Reading a chat answer as JSON: models in JSON mode answer with bare JSON, others wrap it in a
// code fence or a sentence.
import type { ProviderOutput } from './model-call'

/** The JSON value in a text answer, or undefined when there is none (the output check then fails). */
export function answerJson(answer: ProviderOutput): unknown {
  if (answer.kind !== 'text') return undefined
  const text = answer.text.trim()
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1]
  const braced = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)
  for (const candidate of [text, fenced, braced]) {
    if (!candidate) continue
    try {
      return JSON.parse(candidate)
    } catch {}
  }
  return undefined
}
