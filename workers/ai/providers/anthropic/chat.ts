// Messages API: system messages move to the top-level `system` field; JSON output is a single
// forced tool whose input schema is the requested schema (this API version has no JSON format).
import { z } from 'zod'
import {
  type ChatMessage,
  type ContentPart,
  type ModelCall,
  messageText,
  type ProviderOutput,
} from '../../../../shared/tasks/model-call'
import { ProviderError } from '../../provider'
import { parseBody } from '../http-errors'
import { DEFAULT_MAX_TOKENS } from './api'

type ChatCall = Extract<ModelCall, { kind: 'chat' }>

function block(part: ContentPart) {
  if (part.type === 'text') return { type: 'text', text: part.text }
  const source =
    'url' in part.image
      ? { type: 'url', url: part.image.url }
      : { type: 'base64', media_type: part.image.mediaType, data: part.image.data }
  return { type: 'image', source }
}

function message(message: ChatMessage) {
  return {
    role: message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map(block),
  }
}

export function messagesRequest(call: ChatCall, model: string) {
  const system = call.messages
    .filter((m) => m.role === 'system')
    .map(messageText)
    .join('\n\n')
  return {
    model,
    max_tokens: call.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(system && { system }),
    messages: call.messages.filter((m) => m.role !== 'system').map(message),
    ...(call.temperature !== undefined && { temperature: call.temperature }),
    ...(call.json && {
      tools: [
        {
          name: call.json.name,
          description: `Record the answer as ${call.json.name}, matching the input schema exactly.`,
          input_schema: call.json.schema,
        },
      ],
      tool_choice: { type: 'tool', name: call.json.name },
    }),
  }
}

const Block = z.object({
  type: z.string(),
  text: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
})

const MessageResponse = z.object({
  model: z.string(),
  content: z.array(Block),
  stop_reason: z.string().nullable(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }),
})

export function messagesResult(body: unknown, provider: string, json: ChatCall['json']) {
  const response = parseBody(MessageResponse, body, provider)
  if (response.stop_reason === 'refusal') {
    throw new ProviderError('content_filtered', `${provider} refused to answer.`, false)
  }
  let text: string
  if (json) {
    const tool = response.content.find((b) => b.type === 'tool_use' && b.name === json.name)
    if (tool?.input === undefined) {
      throw new ProviderError(
        'bad_response',
        `${provider} answered without the ${json.name} tool call.`,
        true,
      )
    }
    text = JSON.stringify(tool.input)
  } else {
    text = response.content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('')
  }
  const output: ProviderOutput = {
    kind: 'text',
    text,
    ...(response.stop_reason && { finishReason: response.stop_reason }),
  }
  return {
    output,
    model: response.model,
    usage: { input_tokens: response.usage.input_tokens, output_tokens: response.usage.output_tokens },
  }
}
