// Text generation (and vision) on Workers AI. JSON mode follows the Workers AI convention
// `response_format: { type: 'json_schema', json_schema: <schema> }`; in that mode `response` may
// come back already parsed. Vision models take the image as a top-level `image` byte array.
import { z } from 'zod'
import {
  type ImageInput,
  type ModelCall,
  messageText,
  type ProviderOutput,
} from '../../../../shared/tasks/model-call'
import { estimateTokens, ProviderError } from '../../provider'
import { parseBody } from '../http-errors'

type ChatCall = Extract<ModelCall, { kind: 'chat' }>

/** The one image of a vision call, if any; Workers AI vision models take a single image. */
export function chatImage(call: ChatCall): ImageInput | undefined {
  const images = call.messages.flatMap((m) =>
    typeof m.content === 'string' ? [] : m.content.flatMap((p) => (p.type === 'image' ? [p.image] : [])),
  )
  if (images.length > 1) {
    throw new ProviderError('unsupported', 'Workers AI vision models take one image per call.', false)
  }
  return images[0]
}

export function chatInputs(call: ChatCall, image: number[] | undefined) {
  return {
    messages: call.messages.map((m) => ({ role: m.role, content: messageText(m) })),
    ...(image && { image }),
    ...(call.maxTokens !== undefined && { max_tokens: call.maxTokens }),
    ...(call.temperature !== undefined && { temperature: call.temperature }),
    ...(call.json && { response_format: { type: 'json_schema', json_schema: call.json.schema } }),
  }
}

const ChatResult = z.object({
  response: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).partial().optional(),
})

export function chatResult(result: unknown, call: ChatCall) {
  const { response, usage } = parseBody(ChatResult, result, 'Workers AI')
  const text = typeof response === 'string' ? response : JSON.stringify(response)
  const output: ProviderOutput = { kind: 'text', text }
  return {
    output,
    usage: {
      input_tokens: usage?.prompt_tokens ?? estimateTokens(call.messages.map(messageText).join('\n')),
      output_tokens: usage?.completion_tokens ?? estimateTokens(text),
    },
  }
}
