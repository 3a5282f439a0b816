// sms: a marketing text message within a number of SMS segments; the encoding and segment count
// in the output are computed from the text, not taken from the model.
import { z } from 'zod'
import { answerJson } from './answer'
import { CHAT_MODELS } from './models'
import { lines, plural, replyAsJson } from './prompt'
import { clip, fitFirst, rotate } from './simulate-text'
import { smsSegments } from './text-limits/sms-segments'
import { defineTask, jsonAnswer } from './types'

const TEMPLATES = [
  '{brand}{}. Shop now{link} Reply STOP to opt out',
  '{brand}Good news: {} is here{link} Reply STOP to opt out',
  "{brand}Don't miss {}{link} Reply STOP to opt out",
  '{brand}Just for you: {}{link} Reply STOP to opt out',
] as const

const answerSchema = z.object({ text: z.string().min(1) })

export const sms = defineTask({
  type: 'sms',
  description:
    'A marketing SMS that fits a number of segments (160 GSM-7 characters, or 70 with emoji or other Unicode).',
  input: z.object({
    topic: z.string().trim().min(1, 'topic is required').max(2000),
    brand: z.string().max(50).optional(),
    link: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .optional(),
  }),
  params: z.object({ max_segments: z.int().min(1).max(10).default(1) }).prefault({}),
  output: z.object({
    text: z.string().min(1),
    encoding: z.enum(['GSM-7', 'UCS-2']),
    segments: z.int(),
  }),
  jsonSchema: () => z.toJSONSchema(answerSchema),
  kind: 'chat',
  system: (params) => {
    const single = params.max_segments === 1
    return lines(
      'You write marketing SMS messages.',
      `The message must fit ${plural(params.max_segments, 'SMS segment')}: with only GSM characters (plain Latin letters, digits, common punctuation) that is ${single ? 160 : params.max_segments * 153} characters; any emoji or other Unicode character cuts it to ${single ? 70 : params.max_segments * 67}.`,
      'Prefer plain GSM characters. Name the brand first when one is given, include the link if given, and end with "Reply STOP to opt out".',
      replyAsJson('{"text": "..."}'),
    )
  },
  user: (input) =>
    lines(
      `About: ${input.topic}`,
      input.brand && `Brand: ${input.brand}`,
      input.link && `Link: ${input.link}`,
    ),
  parse: (answer) => {
    const parsed = answerSchema.safeParse(answerJson(answer))
    if (!parsed.success) return undefined
    const { encoding, segments } = smsSegments(parsed.data.text)
    return { text: parsed.data.text, encoding, segments }
  },
  check: (output, _input, params) => {
    const count = smsSegments(output.text)
    return count.segments > params.max_segments
      ? [
          `text needs ${plural(count.segments, 'SMS segment')} (${count.encoding}, ${count.units} ${count.encoding === 'GSM-7' ? 'septets' : 'UTF-16 units'}); the limit is ${params.max_segments}`,
        ]
      : []
  },
  simulate: (input, params, seed) => {
    const brand = input.brand?.trim() ? `${input.brand.trim()}: ` : ''
    const link = input.link ? ` ${input.link}.` : '.'
    const templates = rotate(TEMPLATES, seed).map((template) =>
      template.replace('{brand}', () => brand).replace('{link}', () => link),
    )
    const segments = (text: string) => smsSegments(text).segments
    const text =
      fitFirst(templates, clip(input.topic, 160 * params.max_segments), params.max_segments, segments) ||
      'Reply STOP to opt out'
    return jsonAnswer({ text })
  },
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: (params) => params.max_segments * 45 + 10,
})
