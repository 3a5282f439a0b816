import { z } from 'zod'
import { defineTask } from './types'

const LENGTHS = { short: 60, medium: 120, long: 250 } as const

export const productDescription = defineTask({
  type: 'product_description',
  description: 'A product description from a title and features, for an audience and tone.',
  input: z.object({
    title: z.string().trim().min(1, 'title is required').max(500),
    features: z.string().max(5000).optional(),
    audience: z.string().max(200).optional(),
  }),
  params: z.object({
    tone: z.string().max(100).default('friendly'),
    length: z.enum(['short', 'medium', 'long']).default('medium'),
  }),
  output: z.object({ description: z.string().min(1) }),
  prompt: (input, params) => [
    {
      role: 'system',
      content: `You write product descriptions for e-commerce. Tone: ${params.tone}. About ${LENGTHS[params.length]} words. Reply with JSON {"description": string}.`,
    },
    {
      role: 'user',
      content: [
        `Product: ${input.title}`,
        input.features && `Features: ${input.features}`,
        input.audience && `Audience: ${input.audience}`,
      ]
        .filter(Boolean)
        .join('\n'),
    },
  ],
  simulate: (input, params, seed) => ({
    description: `${input.title}: ${params.tone} copy${input.features ? ` featuring ${input.features}` : ''}${
      input.audience ? ` for ${input.audience}` : ''
    }. (#${seed % 10000})`,
  }),
})
