// openai_chat: an OpenAI chat completion request passed through as it is — the caller's messages,
// max tokens, temperature and response_format — for the OpenAI-compatible surface (`/openai/v1`).
import { z } from 'zod'
import { batchLineSchema, CHAT_URL, type ChatCompletionRequest, chatCompletionRequestSchema } from '../schemas/openai'
import type { ChatMessage, ContentPart, ModelCall } from './model-call'
import { messageText } from './model-call'
import { CHAT_MODELS } from './models'
import { pick, seeded } from './simulate-text'
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

function jsonRequest(format: ChatCompletionRequest['response_format']): { name: string; schema: Record<string, unknown> } | undefined {
  if (format?.type === 'json_schema')
    return { name: format.json_schema.name, schema: format.json_schema.schema ?? { type: 'object' } }
  if (format?.type === 'json_object') return { name: 'json_object', schema: { type: 'object' } }
  return undefined
}

/** A value that fits a JSON schema (the common keywords; `$ref` and friends give null). */
export function sampleJson(schema: unknown, seed: number, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 8) return null
  const s = schema as Record<string, unknown>
  if ('const' in s) return s.const
  if (Array.isArray(s.enum) && s.enum.length) return pick(s.enum, seed, depth)
  const options = (s.anyOf ?? s.oneOf) as unknown[] | undefined
  if (Array.isArray(options) && options.length) return sampleJson(options[0], seed, depth + 1)
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : (s.type ?? (s.properties ? 'object' : null))
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>
      return Object.fromEntries(
        Object.entries(properties).map(([key, value], i) => [key, sampleJson(value, seed + i, depth + 1)]),
      )
    }
    case 'array':
      return Array.from({ length: Math.max(1, Number(s.minItems) || 1) }, (_, i) => sampleJson(s.items, seed + i, depth + 1))
    case 'string':
      return pick(['alpha', 'bravo', 'charlie', 'delta', 'echo'], seed, depth)
    case 'integer':
      return Math.max(Number(s.minimum) || 0, Math.floor(seeded(seed, depth) * 100))
    case 'number':
      return Math.max(Number(s.minimum) || 0, Math.round(seeded(seed, depth) * 1000) / 100)
    case 'boolean':
      return seeded(seed, depth) < 0.5
    default:
      return null
  }
}

const OPENINGS = ['Sure.', 'Here is an answer.', 'Happy to help.', 'Certainly.'] as const

function simulatedReply(body: ChatCompletionRequest, seed: number): { text: string; finishReason: string } {
  const json = jsonRequest(body.response_format)
  if (json) return { text: JSON.stringify(sampleJson(json.schema, seed)), finishReason: 'stop' }
  const last = [...body.messages].reverse().find((message) => message.role === 'user')
  const asked = last ? messageText(chatMessage(last)).replace(/\s+/g, ' ').trim().slice(0, 80) : ''
  const text = `${pick(OPENINGS, seed)} This is a simulated reply to: "${asked}"`
  const limit = (body.max_completion_tokens ?? body.max_tokens ?? Number.POSITIVE_INFINITY) * 4
  return text.length > limit ? { text: text.slice(0, limit), finishReason: 'length' } : { text, finishReason: 'stop' }
}

export const openaiChat = defineTask({
  type: 'openai_chat',
  description: 'An OpenAI chat completion request (`/v1/chat/completions` line of an OpenAI batch file), run as sent.',
  input: batchLineSchema(CHAT_URL, chatCompletionRequestSchema),
  params: z.object({}).prefault({}),
  output: z.object({ content: z.string(), finish_reason: z.string() }),
  kind: 'chat',
  call: ({ body }): ModelCall => {
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
    answer.kind === 'text' ? { content: answer.text, finish_reason: answer.finishReason ?? 'stop' } : undefined,
  simulate: ({ body }, _params, seed) => ({ kind: 'text', ...simulatedReply(body, seed) }),
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: () => 256,
})
