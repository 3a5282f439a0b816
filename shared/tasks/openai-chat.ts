// openai_chat: an OpenAI chat completion request passed through as it is — the caller's messages,
// max tokens, temperature and response_format — for the OpenAI-compatible surface (`/openai/v1`).
import { z } from 'zod'
import {
  CHAT_URL,
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
  requestInputSchema,
} from '../schemas/openai'
import type { JsonSchema } from './json-schema-check'
import { sampleOf } from './json-schema-sample'
import type { ChatMessage, ContentPart, ModelCall } from './model-call'
import { messageText } from './model-call'
import { CHAT_MODELS } from './models'
import { pick } from './simulate-text'
import { defineTask } from './types'

type Message = ChatCompletionRequest['messages'][number]

function contentPart(part: Exclude<Message['content'], string>[number]): ContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text }
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url.url)
  return {
    type: 'image',
    image: data ? { mediaType: data[1]!, data: data[2]! } : { url: part.image_url.url },
  }
}

function chatMessage(message: Message): ChatMessage {
  return {
    role: message.role === 'developer' ? 'system' : message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map(contentPart),
  }
}

function jsonRequest(
  format: ChatCompletionRequest['response_format'],
): { name: string; schema: Record<string, unknown> } | undefined {
  if (format?.type === 'json_schema')
    return { name: format.json_schema.name, schema: format.json_schema.schema ?? { type: 'object' } }
  if (format?.type === 'json_object') return { name: 'json_object', schema: { type: 'object' } }
  return undefined
}

const OPENINGS = ['Sure.', 'Here is an answer.', 'Happy to help.', 'Certainly.'] as const

function simulatedReply(body: ChatCompletionRequest, seed: number): { text: string; finishReason: string } {
  const last = [...body.messages].reverse().find((message) => message.role === 'user')
  const asked = last ? messageText(chatMessage(last)).replace(/\s+/g, ' ').trim().slice(0, 80) : ''
  const json = jsonRequest(body.response_format)
  if (json)
    return {
      text: JSON.stringify(sampleOf(json.schema as JsonSchema, { text: asked, seed, salt: 0 })),
      finishReason: 'stop',
    }
  const text = `${pick(OPENINGS, seed)} This is a simulated reply to: "${asked}"`
  const limit = (body.max_completion_tokens ?? body.max_tokens ?? Number.POSITIVE_INFINITY) * 4
  return text.length > limit
    ? { text: text.slice(0, limit), finishReason: 'length' }
    : { text, finishReason: 'stop' }
}

export const openaiChat = defineTask({
  type: 'openai_chat',
  description:
    'An OpenAI chat completion request (`/v1/chat/completions` line of an OpenAI batch file), run as sent.',
  input: requestInputSchema(CHAT_URL, chatCompletionRequestSchema),
  params: z.object({}).prefault({}),
  output: z.object({ content: z.string(), finish_reason: z.string() }),
  kind: 'chat',
  call: (body): ModelCall => {
    const json = jsonRequest(body.response_format)
    const maxTokens = body.max_completion_tokens ?? body.max_tokens
    return {
      kind: 'chat',
      messages: body.messages.map(chatMessage),
      ...(maxTokens != null && { maxTokens }),
      ...(body.temperature != null && { temperature: body.temperature }),
      ...(json && { json }),
    }
  },
  parse: (answer) =>
    answer.kind === 'text'
      ? { content: answer.text, finish_reason: answer.finishReason ?? 'stop' }
      : undefined,
  simulate: (body, _params, seed) => ({ kind: 'text', ...simulatedReply(body, seed) }),
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: () => 256,
})
