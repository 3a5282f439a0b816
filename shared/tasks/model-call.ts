// What a task asks of a model and what comes back, independent of any provider's wire format.

export type ImageInput = { url: string } | { data: string; mediaType: string }

export type ContentPart = { type: 'text'; text: string } | { type: 'image'; image: ImageInput }

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string | ContentPart[] }

export type ModelCall =
  | {
      kind: 'chat'
      messages: ChatMessage[]
      /** Ask for JSON matching this schema (OpenAI `response_format` json_schema, or JSON mode). */
      json?: { name: string; schema: Record<string, unknown> }
      maxTokens?: number
      temperature?: number
    }
  | { kind: 'embed'; texts: string[] }
  | { kind: 'classify_text'; text: string }
  | { kind: 'classify_image'; image: ImageInput }
  | { kind: 'detect_objects'; image: ImageInput }

export type Box = { xmin: number; ymin: number; xmax: number; ymax: number }

export type ProviderOutput =
  | { kind: 'text'; text: string; finishReason?: string }
  | { kind: 'vectors'; vectors: number[][] }
  | { kind: 'labels'; labels: { label: string; score: number }[] }
  | { kind: 'objects'; objects: { label: string; score: number; box: Box }[] }

/** The text of a message, with image parts left out. */
export function messageText(message: ChatMessage): string {
  return typeof message.content === 'string'
    ? message.content
    : message.content.map((part) => (part.type === 'text' ? part.text : '')).join('')
}
