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

export function embeddingList({ model, output, usage }: Answered) {
  const { embeddings } = output as { embeddings: number[][] }
  return {
    object: 'list' as const,
    data: embeddings.map((embedding, index) => ({ object: 'embedding' as const, index, embedding })),
    model,
    usage: { prompt_tokens: usage.input_tokens, total_tokens: usage.input_tokens },
  }
}

export function responseBody(task: string, answered: Answered) {
  return task === 'openai_embedding' ? embeddingList(answered) : chatCompletion(answered)
}
