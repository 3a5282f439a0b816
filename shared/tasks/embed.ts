// embed: a vector for a text, for search, clustering and deduplication.
import { z } from 'zod'
import { fnv1a } from '../hash'
import { EMBED_MODELS } from './models'
import { seeded } from './simulate-text'
import { defineTask } from './types'

/** Simulated vectors are shorter than bge-base's 768 to keep results small. */
export const SIMULATED_DIMENSIONS = 384

/** A unit vector that depends only on the text, so identical texts get identical vectors. */
function textVector(text: string): number[] {
  const hash = fnv1a(text)
  const values = Array.from({ length: SIMULATED_DIMENSIONS }, (_, index) => seeded(hash, index) * 2 - 1)
  const norm = Math.hypot(...values)
  return values.map((value) => value / norm)
}

export const embed = defineTask({
  type: 'embed',
  description: 'An embedding vector for a text.',
  input: z.object({ text: z.string().trim().min(1, 'text is required').max(8000) }),
  params: z.object({}).prefault({}),
  output: z.object({ embedding: z.array(z.number()), dimensions: z.int() }),
  kind: 'embed',
  call: (input) => ({ kind: 'embed', texts: [input.text] }),
  parse: (answer) => {
    const embedding = answer.kind === 'vectors' ? answer.vectors[0] : undefined
    return embedding ? { embedding, dimensions: embedding.length } : undefined
  },
  check: (output) =>
    output.embedding.length === output.dimensions
      ? []
      : [`embedding has ${output.embedding.length} values; dimensions says ${output.dimensions}`],
  simulate: (input) => ({ kind: 'vectors', vectors: [textVector(input.text)] }),
  models: EMBED_MODELS,
  variants: 1,
  expectedOutputTokens: () => 0,
})
