// Embeddings with the bge models: `{ text: texts }` in, `{ shape, data }` out.
import { z } from 'zod'
import type { ProviderOutput } from '../../../../shared/tasks/model-call'
import { estimateTokens, ProviderError } from '../../provider'
import { parseBody } from '../http-errors'

export function embedInputs(texts: string[]) {
  return { text: texts }
}

const EmbedResult = z.object({ data: z.array(z.array(z.number())) })

export function embedResult(result: unknown, texts: string[]) {
  const { data } = parseBody(EmbedResult, result, 'Workers AI')
  if (data.length !== texts.length) {
    throw new ProviderError('bad_response', 'Workers AI did not return one embedding per input.', true)
  }
  const output: ProviderOutput = { kind: 'vectors', vectors: data }
  return { output, usage: { input_tokens: estimateTokens(texts.join('\n')), output_tokens: 0 } }
}
