// seo_meta: an SEO title and meta description for a page.
import { z } from 'zod'
import { CHAT_MODELS } from './models'
import { lines, replyAsJson } from './prompt'
import { clip, fitFirst, listItems, rotate } from './simulate-text'
import { characterCount } from './text-limits/characters'
import { defineTask, jsonAnswer } from './types'

export const SEO_TITLE_MAX = 60
export const SEO_DESCRIPTION_MAX = 160

const TITLES = [
  '{}',
  '{} | Shop Online',
  'Buy {} Online',
  '{} – Official Store',
  '{}: Prices & Reviews',
] as const
const DESCRIPTIONS = [
  'Discover {}. Compare options, read reviews and order online with free shipping and easy returns.',
  'Shop {} at great prices. Fast delivery, secure checkout and friendly support.',
  'Everything you need to know about {}: features, prices and tips to choose the right one.',
  'Looking for {}? Find the best selection, expert advice and exclusive offers.',
] as const

export const seoMeta = defineTask({
  type: 'seo_meta',
  description: `An SEO title (≤ ${SEO_TITLE_MAX} characters) and meta description (≤ ${SEO_DESCRIPTION_MAX}).`,
  input: z.object({
    title: z.string().trim().min(1, 'title is required').max(500),
    content: z.string().max(20000).optional(),
    keywords: z.string().max(500).optional(),
  }),
  params: z.object({}).prefault({}),
  output: z.object({ title: z.string().min(1), description: z.string().min(1) }),
  kind: 'chat',
  system: () =>
    lines(
      'You write SEO metadata for web pages.',
      `The title is at most ${SEO_TITLE_MAX} characters and leads with the main keyword.`,
      `The meta description is at most ${SEO_DESCRIPTION_MAX} characters: a clear summary with a reason to click.`,
      replyAsJson('{"title": "...", "description": "..."}'),
    ),
  user: (input) =>
    lines(
      `Page: ${input.title}`,
      input.keywords && `Keywords: ${input.keywords}`,
      input.content && `Content:\n${input.content}`,
    ),
  check: (output) => {
    const violations: string[] = []
    const title = characterCount(output.title)
    const description = characterCount(output.description)
    if (title > SEO_TITLE_MAX) violations.push(`title is ${title} characters; the limit is ${SEO_TITLE_MAX}`)
    if (description > SEO_DESCRIPTION_MAX)
      violations.push(`description is ${description} characters; the limit is ${SEO_DESCRIPTION_MAX}`)
    return violations
  },
  simulate: (input, _params, seed) => {
    const keyword = listItems(input.keywords)[0]
    const title = clip(input.title, 320)
    const name = keyword && characterCount(title) > SEO_TITLE_MAX ? clip(keyword, 120) : title
    return jsonAnswer({
      title: fitFirst(rotate(TITLES, seed), name, SEO_TITLE_MAX, characterCount),
      description: fitFirst(rotate(DESCRIPTIONS, seed, 1), title, SEO_DESCRIPTION_MAX, characterCount),
    })
  },
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: () => 80,
})
