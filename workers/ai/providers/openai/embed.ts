// Embeddings: texts in, one vector per text in input order.
import { z } from 'zod'
import { ProviderError, type ProviderOutput } from '../../provider'
import { parseBody } from '../http-errors'

export function embedRequest(texts: string[], model: string) {
  return { model, input: texts }
}

const EmbedResponse = z.object({
  model: z.string(),
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number() }),
})

export function embedResult(body: unknown, provider: string, count: number) {
  const response = parseBody(EmbedResponse, body, provider)
  const byIndex = new Map(response.data.map((item) => [item.index, item.embedding]))
  const vectors = Array.from({ length: count }, (_, index) => byIndex.get(index))
  // A missing index would otherwise shift later rows onto the wrong text.
  if (byIndex.size !== count || !vectors.every((vector): vector is number[] => vector !== undefined)) {
    throw new ProviderError('bad_response', `${provider} did not return one embedding per input.`, true)
  }
  const output: ProviderOutput = { kind: 'vectors', vectors }
  return {
    output,
    model: response.model,
    usage: { input_tokens: response.usage.prompt_tokens, output_tokens: 0 },
  }
}
