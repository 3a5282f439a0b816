// product_description: a product description for a store page, in a tone and at a length.
import { z } from 'zod'
import { htmlAsText } from '../ingest/html-text'
import { CHAT_MODELS } from './models'
import { lines, replyAsJson } from './prompt'
import { clip, fitFirst, listItems, pick, rotate } from './simulate-text'
import { characterCount, wordCount } from './text-limits/characters'
import { defineTask, jsonAnswer } from './types'

/** Target words per length; a description is flagged only past 1.5 × the target. */
export const DESCRIPTION_WORDS = { short: 60, medium: 120, long: 250 } as const
const TOLERANCE = 1.5

const OPENERS = ['Meet {}.', 'Say hello to {}.', 'Discover {}.', 'Introducing {}.', '{} is here.'] as const
const BODY = [
  'It is designed for everyday use and built to last.',
  'Every detail has been considered, from the materials to the finish.',
  'It fits easily into your routine and makes the small things simpler.',
  'Thoughtful design meets reliable quality, so you can count on it day after day.',
  'It is easy to set up, easy to use and easy to love.',
  'Made with care and tested to high standards, it delivers on its promise.',
  'Whether at home or on the go, it adapts to the way you live.',
  'It is the kind of product you will reach for again and again.',
] as const
/** The tags an `html` description may use: what a store's product page renders as is. */
const HTML_TAGS = ['p', 'ul', 'li', 'strong', 'em', 'br']
const OTHER_TAG = new RegExp(`<(?!/?(?:${HTML_TAGS.join('|')})\\b)[^>]*>`, 'i')

/** Words of each BODY sentence, counted once rather than for every simulated answer. */
const BODY_WORDS = new Map(BODY.map((sentence) => [sentence, wordCount(sentence)]))

export const productDescription = defineTask({
  type: 'product_description',
  description: 'A product description from a title and features, for an audience and in a tone.',
  input: z.object({
    title: z.string().trim().min(1, 'title is required').max(500),
    features: z.string().max(5000).optional(),
    audience: z.string().max(200).optional(),
    tone: z.string().max(100).optional(),
  }),
  params: z
    .object({
      tone: z.string().max(100).default('friendly'),
      length: z.enum(['short', 'medium', 'long']).default('medium'),
      /** `html` for a store's description field (Shopify's Body HTML): paragraphs and a list. */
      format: z.enum(['text', 'html']).default('text'),
    })
    .prefault({}),
  output: z.object({ description: z.string().min(1) }),
  kind: 'chat',
  system: (params) => {
    const target = DESCRIPTION_WORDS[params.length]
    return lines(
      'You write product descriptions for e-commerce product pages.',
      `Tone: ${params.tone}, unless the product gives its own tone.`,
      `Length: about ${target} words, never more than ${Math.floor(target * TOLERANCE)}.`,
      params.format === 'html'
        ? `Simple HTML for a store's product page: <p> paragraphs, and a <ul> of <li> highlights when the product has features; only the tags ${HTML_TAGS.join(', ')}, no attributes, no headings, no invented specifications.`
        : 'Plain prose in one or two paragraphs: no headings, no markdown, no invented specifications.',
      replyAsJson('{"description": "..."}'),
    )
  },
  user: (input) =>
    lines(
      `Product: ${input.title}`,
      input.features && `Features: ${input.features}`,
      input.audience && `Audience: ${input.audience}`,
      input.tone && `Tone: ${input.tone}`,
    ),
  check: (output, _input, params) => {
    const target = DESCRIPTION_WORDS[params.length]
    const limit = Math.floor(target * TOLERANCE)
    const html = params.format === 'html'
    const words = wordCount(html ? String(htmlAsText(output.description)) : output.description)
    const problems =
      words > limit
        ? [
            `description is ${words} words; the limit is ${limit} (1.5 × the ${target}-word ${params.length} target)`,
          ]
        : []
    if (html && OTHER_TAG.test(output.description))
      problems.push(`description uses HTML other than ${HTML_TAGS.map((tag) => `<${tag}>`).join(', ')}`)
    return problems
  },
  simulate: (input, params, seed) => {
    const target = DESCRIPTION_WORDS[params.length]
    const name = fitFirst(['{}'], clip(input.title, 120), 8, wordCount)
    const sentences = [fitFirst(rotate(OPENERS, seed), name, 80, characterCount)]
    const features = listItems(input.features).slice(0, 3)
    const highlights = features.map((feature) => fitFirst(['{}'], clip(feature, 80), 6, wordCount))
    if (highlights.length && params.format === 'text')
      sentences.push(`Highlights include ${highlights.join(', ')}.`)
    if (input.audience)
      sentences.push(`Made for ${fitFirst(['{}'], clip(input.audience, 100), 8, wordCount)}.`)
    // Counted sentence by sentence: recounting the joined text each time was quadratic.
    const counts = sentences.map(wordCount)
    let words = counts.reduce((sum, count) => sum + count, 0)
    for (let i = 0; words < target * 0.9 && i < 40; i++) {
      const sentence = pick(BODY, seed, i + 1)
      sentences.push(sentence)
      counts.push(BODY_WORDS.get(sentence)!)
      words += counts.at(-1)!
    }
    while (sentences.length > 1 && words > target * 1.1) {
      sentences.pop()
      words -= counts.pop()!
    }
    if (params.format === 'text') return jsonAnswer({ description: sentences.join(' ') })
    const [opener, ...rest] = sentences.map(escapeHtml)
    const list = highlights.length
      ? `<ul>${highlights.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`
      : ''
    return jsonAnswer({
      description: `<p>${opener}</p>${list}${rest.length ? `<p>${rest.join(' ')}</p>` : ''}`,
    })
  },
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: (params) => Math.round(DESCRIPTION_WORDS[params.length] * 1.4) + 20,
})

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
