import { z } from 'zod'
import { defineTask } from './types'

export const classify = defineTask({
  type: 'classify',
  description: 'Puts a text into one of the caller’s labels (review sentiment, intent, topic…).',
  input: z.object({ text: z.string().trim().min(1, 'text is required').max(20000) }),
  params: z.object({
    labels: z.array(z.string().min(1).max(100)).min(2, 'give at least two labels').max(50),
    instructions: z.string().max(2000).optional(),
  }),
  output: z.object({ label: z.string(), confidence: z.number().min(0).max(1) }),
  prompt: (input, params) => [
    {
      role: 'system',
      content: `Classify the text into exactly one of: ${params.labels.join(', ')}.${
        params.instructions ? ` ${params.instructions}` : ''
      } Reply with JSON {"label": string, "confidence": number}.`,
    },
    { role: 'user', content: input.text },
  ],
  simulate: (_input, params, seed) => ({
    label: params.labels[seed % params.labels.length]!,
    confidence: 0.5 + (seed % 50) / 100,
  }),
})
