// image_alt_text: alt text for an image, short enough for screen readers.
import { z } from 'zod'
import { imageFields, imageNameWords, imageOf, ONE_IMAGE_MESSAGE, oneImage } from './image-input'
import { VISION_MODELS } from './models'
import { lines, replyAsJson } from './prompt'
import { clip, fitFirst, rotate } from './simulate-text'
import { characterCount } from './text-limits/characters'
import { defineTask, jsonAnswer } from './types'

export const ALT_TEXT_MAX = 125
const REDUNDANT_START = /^\s*(?:an?\s+)?(?:image|picture|photo|photograph)\s+of\b/i

const TEMPLATES = [
  '{}',
  '{} on a plain white background',
  'Close-up of {}',
  '{} shown from the side',
  'Person holding {}',
] as const

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

export const imageAltText = defineTask({
  type: 'image_alt_text',
  description: `Alt text for an image (≤ ${ALT_TEXT_MAX} characters), from an image URL or an uploaded file.`,
  input: z
    .object({ ...imageFields, context: z.string().max(1000).optional() })
    .refine(oneImage, ONE_IMAGE_MESSAGE),
  params: z.object({}).prefault({}),
  output: z.object({ alt_text: z.string().min(1) }),
  kind: 'chat',
  system: () =>
    lines(
      'You write alt text for images on web pages and in online stores.',
      `Describe what matters in the image for someone who cannot see it, in at most ${ALT_TEXT_MAX} characters.`,
      'Do not start with "Image of" or "Picture of": screen readers already say it is an image. No text that is not in the image.',
      replyAsJson('{"alt_text": "..."}'),
    ),
  user: (input) => [
    {
      type: 'text',
      text: lines('Write the alt text for this image.', input.context && `Context: ${input.context}`),
    },
    { type: 'image', image: imageOf(input) },
  ],
  check: (output) => {
    const violations: string[] = []
    const length = characterCount(output.alt_text)
    if (length > ALT_TEXT_MAX)
      violations.push(`alt_text is ${length} characters; the limit is ${ALT_TEXT_MAX}`)
    const redundant = REDUNDANT_START.exec(output.alt_text)
    if (redundant)
      violations.push(
        `alt_text starts with "${redundant[0].trim()}"; screen readers already announce an image`,
      )
    return violations
  },
  simulate: (input, _params, seed) => {
    let subject = clip(input.context?.trim() || imageNameWords(input), 250)
    while (REDUNDANT_START.test(subject)) subject = subject.replace(REDUNDANT_START, '').trim()
    const measure = (text: string) => characterCount(capitalised(text))
    const alt = fitFirst(rotate(TEMPLATES, seed), subject || 'the product', ALT_TEXT_MAX, measure)
    return jsonAnswer({ alt_text: capitalised(alt) })
  },
  models: VISION_MODELS,
  variants: 1,
  expectedOutputTokens: () => 50,
})
