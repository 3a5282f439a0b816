// classify: puts a text into one of the caller's labels (sentiment, intent, topic…).
import { z } from 'zod'
import { CHAT_MODELS } from './models'
import { lines, replyAsJson } from './prompt'
import { pick, seeded } from './simulate-text'
import { defineTask, jsonAnswer } from './types'

export const classify = defineTask({
  type: 'classify',
  description: 'Puts a text into one of the caller’s labels (review sentiment, intent, topic…).',
  input: z.object({ text: z.string().trim().min(1, 'text is required').max(20000) }),
  params: z.object({
    labels: z
      .array(z.string().trim().min(1).max(100))
      .min(2, 'give at least two labels')
      .max(50)
      .refine((labels) => new Set(labels).size === labels.length, 'labels must be distinct'),
    instructions: z.string().max(2000).optional(),
  }),
  output: z.object({ label: z.string(), confidence: z.number().min(0).max(1) }),
  jsonSchema: (params) =>
    z.toJSONSchema(z.object({ label: z.enum(params.labels), confidence: z.number().min(0).max(1) })),
  kind: 'chat',
  system: (params) =>
    lines(
      `Classify the text into exactly one of these labels: ${params.labels.map((label) => JSON.stringify(label)).join(', ')}.`,
      params.instructions && `Instructions: ${params.instructions}`,
      'Give the label exactly as written, and your confidence from 0 to 1.',
      replyAsJson('{"label": "...", "confidence": 0.9}'),
    ),
  user: (input) => input.text,
  check: (output, _input, params) =>
    params.labels.includes(output.label)
      ? []
      : [`label ${JSON.stringify(output.label)} is not one of: ${params.labels.join(', ')}`],
  simulate: (input, params, seed) => {
    const text = input.text.toLowerCase()
    const mentioned = params.labels.find((label) => text.includes(label.toLowerCase()))
    return jsonAnswer({
      label: mentioned ?? pick(params.labels, seed),
      confidence: Math.round((0.55 + seeded(seed, 1) * 0.44) * 100) / 100,
    })
  },
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: () => 20,
})
