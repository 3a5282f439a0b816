// image_classify: what an image shows, as the top labels of an image classifier with scores.
import { z } from 'zod'
import { imageFields, imageOf, ONE_IMAGE_MESSAGE, oneImage } from './image-input'
import { IMAGE_CLASSIFY_MODELS } from './models'
import { rotate, seeded } from './simulate-text'
import { defineTask } from './types'

export const TOP_LABELS = 5

/** ImageNet classes a product photo often gets, for simulated answers. */
const SIMULATED_LABELS = [
  'running shoe',
  'backpack',
  'sunglasses',
  'wall clock',
  'coffee mug',
  'laptop',
  'water bottle',
  'jersey',
  'handbag',
  'desk lamp',
  'teapot',
  'sweatshirt',
] as const

function normalised(label: string): string {
  return label.trim().toLowerCase()
}

export const imageClassify = defineTask({
  type: 'image_classify',
  description: `The top ${TOP_LABELS} labels an image classifier gives an image, with scores.`,
  input: z.object(imageFields).refine(oneImage, ONE_IMAGE_MESSAGE),
  params: z
    .object({ labels: z.array(z.string().trim().min(1).max(100)).min(1).max(100).optional() })
    .prefault({}),
  output: z.object({
    labels: z.array(z.object({ label: z.string(), score: z.number().min(0).max(1) })),
  }),
  kind: 'classify_image',
  call: (input) => ({ kind: 'classify_image', image: imageOf(input) }),
  parse: (answer, _input, params) => {
    if (answer.kind !== 'labels') return undefined
    const wanted = params.labels && new Set(params.labels.map(normalised))
    const labels = answer.labels
      .filter((entry) => !wanted || wanted.has(normalised(entry.label)))
      .sort((a, b) => b.score - a.score)
      .slice(0, TOP_LABELS)
    return { labels }
  },
  check: (output, _input, params) => {
    const violations: string[] = []
    if (output.labels.length === 0)
      violations.push(params.labels ? 'none of the given labels was recognised' : 'no labels')
    if (output.labels.length > TOP_LABELS)
      violations.push(`${output.labels.length} labels; at most ${TOP_LABELS} are kept`)
    if (params.labels) {
      const wanted = new Set(params.labels.map(normalised))
      for (const { label } of output.labels)
        if (!wanted.has(normalised(label))) violations.push(`label "${label}" is not one of the given labels`)
    }
    return violations
  },
  simulate: (_input, params, seed) => {
    const candidates = rotate(params.labels ?? SIMULATED_LABELS, seed)
    let remaining = 1
    const labels = candidates.slice(0, TOP_LABELS).map((label, index) => {
      const score = Math.round(remaining * (0.4 + seeded(seed, index) * 0.5) * 1000) / 1000
      remaining -= score
      return { label, score }
    })
    return { kind: 'labels', labels }
  },
  models: IMAGE_CLASSIFY_MODELS,
  variants: 1,
  expectedOutputTokens: () => 0,
})
