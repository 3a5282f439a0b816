// Chat completions: a ModelCall chat mapped to the request body, and the answer back to text.
import { z } from 'zod'
import type { ChatMessage, ContentPart, ModelCall, ProviderOutput } from '../../../../shared/tasks/model-call'
import { ProviderError } from '../../provider'
import { parseBody } from '../http-errors'
import { withDetail } from '../provider-detail'

type ChatCall = Extract<ModelCall, { kind: 'chat' }>

function part(part: ContentPart) {
  if (part.type === 'text') return { type: 'text', text: part.text }
  const url = 'url' in part.image ? part.image.url : `data:${part.image.mediaType};base64,${part.image.data}`
  return { type: 'image_url', image_url: { url } }
}

function message(message: ChatMessage) {
  return {
    role: message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map(part),
  }
}

export function chatRequest(call: ChatCall, model: string) {
  return {
    model,
    messages: call.messages.map(message),
    ...(call.maxTokens !== undefined && { max_tokens: call.maxTokens }),
    ...(call.temperature !== undefined && { temperature: call.temperature }),
    ...(call.json && {
      response_format: {
        type: 'json_schema',
        json_schema: { name: call.json.name, schema: call.json.schema, strict: false },
      },
    }),
  }
}

const ChatResponse = z.object({
  model: z.string(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }),
})

export function chatResult(body: unknown, provider: string) {
  const response = parseBody(ChatResponse, body, provider)
  const choice = response.choices[0]!
  if (choice.message.refusal || choice.finish_reason === 'content_filter') {
    const error = new ProviderError(
      'content_filtered',
      `${provider} refused to answer (content_filtered).`,
      false,
    )
    throw withDetail(error, { provider, detail: choice.message.refusal ?? undefined })
  }
  if (typeof choice.message.content !== 'string') {
    throw new ProviderError('bad_response', `${provider} answered without message content.`, true)
  }
  const output: ProviderOutput = {
    kind: 'text',
    text: choice.message.content,
    ...(choice.finish_reason && { finishReason: choice.finish_reason }),
  }
  return {
    output,
    model: response.model,
    usage: { input_tokens: response.usage.prompt_tokens, output_tokens: response.usage.completion_tokens },
  }
}
