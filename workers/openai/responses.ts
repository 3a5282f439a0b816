// A task's output as the body OpenAI answers its request with: a `chat.completion` object for
// openai_chat, an embedding list for openai_embedding. Used by the realtime routes and by the
// lines of a batch's output file alike.
import type { Usage } from '../../shared/db/schema'

export type Answered = {
  /** The completion's id (chat only). */
  id: string
  created: number
  model: string
  output: unknown
  usage: Usage
}

export function chatCompletion({ id, created, model, output, usage }: Answered) {
  const { content, finish_reason } = output as { content: string; finish_reason: string }
  return {
    id,
    object: 'chat.completion' as const,
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content, refusal: null },
        logprobs: null,
        finish_reason,
      },
    ],
    usage: {
      prompt_tokens: usage.input_tokens,
      completion_tokens: usage.output_tokens,
      total_tokens: usage.input_tokens + usage.output_tokens,
    },
  }
}

/** A vector as base64 of little-endian float32s, OpenAI's `encoding_format: "base64"`. */
function base64Floats(vector: number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4))
  for (const [i, value] of vector.entries()) view.setFloat32(i * 4, value, true)
  let binary = ''
  const bytes = new Uint8Array(view.buffer)
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export function embeddingList({ model, output, usage }: Answered, encoding: 'float' | 'base64' = 'float') {
  const { embeddings } = output as { embeddings: number[][] }
  return {
    object: 'list' as const,
    data: embeddings.map((vector, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encoding === 'base64' ? base64Floats(vector) : vector,
    })),
    model,
    usage: { prompt_tokens: usage.input_tokens, total_tokens: usage.input_tokens },
  }
}

export function responseBody(task: string, answered: Answered) {
  return task === 'openai_embedding' ? embeddingList(answered) : chatCompletion(answered)
}
