// openai_embedding: an OpenAI embeddings request (one string or several) passed through as it is,
// for the OpenAI-compatible surface (`/openai/v1`). The output holds one vector per input string.
import { z } from 'zod'
import { fnv1a } from '../hash'
import { EMBEDDINGS_URL, embeddingRequestSchema, requestInputSchema } from '../schemas/openai'
import { EMBED_MODELS } from './models'
import { seeded } from './simulate-text'
import { defineTask } from './types'

const SIMULATED_DIMENSIONS = 16

function texts(input: string | string[]): string[] {
  return typeof input === 'string' ? [input] : input
}

/** A unit vector that depends only on the text, so identical texts get identical vectors. */
function simulatedVector(text: string, dimensions: number): number[] {
  const hash = fnv1a(text)
  const raw = Array.from({ length: dimensions }, (_, i) => seeded(hash, i) * 2 - 1)
  const norm = Math.hypot(...raw) || 1
  return raw.map((value) => Math.round((value / norm) * 1e6) / 1e6)
}

export const openaiEmbedding = defineTask({
  type: 'openai_embedding',
  description: 'An OpenAI embeddings request (`/v1/embeddings` line of an OpenAI batch file), run as sent.',
  input: requestInputSchema(EMBEDDINGS_URL, embeddingRequestSchema),
  params: z.object({}).prefault({}),
  output: z.object({ embeddings: z.array(z.array(z.number())).min(1) }),
  kind: 'embed',
  call: (body) => ({ kind: 'embed', texts: texts(body.input) }),
  parse: (answer) => (answer.kind === 'vectors' ? { embeddings: answer.vectors } : undefined),
  simulate: (body) => ({
    kind: 'vectors',
    vectors: texts(body.input).map((text) => simulatedVector(text, body.dimensions ?? SIMULATED_DIMENSIONS)),
  }),
  models: EMBED_MODELS,
  variants: 1,
  expectedOutputTokens: () => 0,
})
