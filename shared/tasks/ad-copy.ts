// ad_copy: the headlines and descriptions of a Google Ads responsive search ad.
import { z } from 'zod'
import { CHAT_MODELS } from './models'
import { lines, plural, replyAsJson } from './prompt'
import { clip, fill, fitFirst, listItems, rotate } from './simulate-text'
import { adsCharacterCount } from './text-limits/characters'
import { defineTask, jsonAnswer } from './types'

export const HEADLINE_MAX = 30
export const AD_DESCRIPTION_MAX = 90

const HEADLINES = [
  '{}',
  'Shop {}',
  '{} Deals',
  'New {}',
  'Save on {}',
  'Get {} Today',
  '{} – Free Shipping',
  'Discover {}',
  'Top-Rated {}',
  '{} Online',
  'Buy {} Now',
  'Official {} Store',
  '{} Sale',
  'Try {}',
  'Upgrade to {}',
] as const
const GENERIC_HEADLINES = [
  'Free Shipping on All Orders',
  'Shop the Collection',
  'Order Online Today',
  'Fast, Secure Checkout',
  'Easy 30-Day Returns',
] as const
const DESCRIPTIONS = [
  'Discover {}. Free shipping on every order and easy 30-day returns.',
  'Shop {} today and get fast delivery, secure checkout and great prices.',
  '{}: quality you can trust, at a price you will love. Order online now.',
  'Looking for {}? Compare options, read reviews and buy with confidence.',
] as const

/** Google Ads refuses headlines that repeat, whatever their case. */
const headlineKey = (headline: string) => headline.trim().toLowerCase()

function lengthViolations(label: string, texts: string[], max: number): string[] {
  return texts.flatMap((text, index) => {
    const length = adsCharacterCount(text)
    return length > max ? [`${label} ${index + 1} is ${length} characters; the limit is ${max}`] : []
  })
}

export const adCopy = defineTask({
  type: 'ad_copy',
  description: `Google responsive search ad: headlines (≤ ${HEADLINE_MAX} characters) and descriptions (≤ ${AD_DESCRIPTION_MAX}).`,
  input: z.object({
    title: z.string().trim().min(1, 'title is required').max(500),
    features: z.string().max(5000).optional(),
    keywords: z.string().max(1000).optional(),
    landing_page: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
  }),
  params: z
    .object({
      headlines: z.int().min(3).max(15).default(5),
      descriptions: z.int().min(2).max(4).default(2),
    })
    .prefault({}),
  output: z.object({
    headlines: z.array(z.string().min(1)),
    descriptions: z.array(z.string().min(1)),
  }),
  kind: 'chat',
  listLengths: (params) => ({ headlines: params.headlines, descriptions: params.descriptions }),
  system: (params) =>
    lines(
      'You write Google Ads responsive search ads.',
      `Write ${plural(params.headlines, 'headline')} of at most ${HEADLINE_MAX} characters each and ${plural(params.descriptions, 'description')} of at most ${AD_DESCRIPTION_MAX} characters each.`,
      'Chinese, Japanese and Korean characters count as 2. Every headline must make sense on its own and differ from the others.',
      'Use the keywords naturally; no exclamation marks in headlines, no ALL CAPS.',
      replyAsJson('{"headlines": ["..."], "descriptions": ["..."]}'),
    ),
  user: (input) =>
    lines(
      `Product: ${input.title}`,
      input.features && `Features: ${input.features}`,
      input.keywords && `Keywords: ${input.keywords}`,
      input.landing_page && `Landing page: ${input.landing_page}`,
    ),
  check: (output, _input, params) => {
    const violations: string[] = []
    if (output.headlines.length !== params.headlines)
      violations.push(`${plural(output.headlines.length, 'headline')}; expected ${params.headlines}`)
    if (output.descriptions.length !== params.descriptions)
      violations.push(`${plural(output.descriptions.length, 'description')}; expected ${params.descriptions}`)
    violations.push(...lengthViolations('headline', output.headlines, HEADLINE_MAX))
    violations.push(...lengthViolations('description', output.descriptions, AD_DESCRIPTION_MAX))
    const seen = new Map<string, number>()
    output.headlines.forEach((headline, index) => {
      const key = headlineKey(headline)
      const first = seen.get(key)
      if (first !== undefined) violations.push(`headline ${index + 1} repeats headline ${first + 1}`)
      else seen.set(key, index)
    })
    return violations
  },
  simulate: (input, params, seed) => {
    const names = [input.title, ...listItems(input.keywords)].map((name) => clip(name, 60))
    const templates = rotate(HEADLINES, seed)
    const headlines: string[] = []
    const add = (headline: string | undefined) => {
      if (!headline || headlines.length >= params.headlines) return
      if (!headlines.some((other) => headlineKey(other) === headlineKey(headline))) headlines.push(headline)
    }
    const pairs = names.flatMap((name) => templates.map((template) => [template, name] as const))
    for (const [template, name] of pairs) {
      const whole = fill(template, name)
      if (adsCharacterCount(whole) <= HEADLINE_MAX) add(whole)
    }
    for (const [template, name] of pairs) add(fitFirst([template], name, HEADLINE_MAX, adsCharacterCount))
    for (const headline of GENERIC_HEADLINES) add(headline)
    for (let i = 1; headlines.length < params.headlines; i++) add(`Special Offer ${i}`)
    const descriptions = rotate(DESCRIPTIONS, seed, 1)
      .slice(0, params.descriptions)
      .map((template) => fitFirst([template], names[0]!, AD_DESCRIPTION_MAX, adsCharacterCount))
    return jsonAnswer({ headlines, descriptions })
  },
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: (params) => params.headlines * 12 + params.descriptions * 30 + 20,
})
