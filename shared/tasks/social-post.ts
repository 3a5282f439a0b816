// social_post: posts for one social channel, each within that channel's length limit.
import { z } from 'zod'
import { CHAT_MODELS } from './models'
import { lines, plural, replyAsJson } from './prompt'
import { clip, fitFirst, hashtagOf, pick, rotate, shortenUntil } from './simulate-text'
import { X_MAX_WEIGHTED_LENGTH, xWeightedLength } from './text-limits/x-weighted-length'
import { defineTask, jsonAnswer } from './types'

export const CHANNELS = ['x', 'linkedin', 'instagram', 'facebook'] as const
type Channel = (typeof CHANNELS)[number]

/**
 * X counts weighted characters (links 23, emoji and CJK 2). The others are counted in UTF-16 code
 * units, the strictest reading of their limits: LinkedIn posts 3,000, Instagram captions 2,200,
 * Facebook posts 63,206 (Facebook's documented maximum for a post).
 */
export const CHANNEL_LIMITS: Record<
  Channel,
  { max: number; measure: (text: string) => number; unit: string }
> = {
  x: { max: X_MAX_WEIGHTED_LENGTH, measure: xWeightedLength, unit: 'weighted characters' },
  linkedin: { max: 3000, measure: (text) => text.length, unit: 'characters' },
  instagram: { max: 2200, measure: (text) => text.length, unit: 'characters' },
  facebook: { max: 63206, measure: (text) => text.length, unit: 'characters' },
}
const CHANNEL_NAMES: Record<Channel, string> = {
  x: 'X (Twitter)',
  linkedin: 'LinkedIn',
  instagram: 'Instagram',
  facebook: 'Facebook',
}
export const INSTAGRAM_MAX_HASHTAGS = 30

const OPENERS = [
  'Big news: {} is here.',
  'Meet {}.',
  'Have you tried {} yet?',
  'Say hello to {}.',
  '{} just landed.',
  'Ready for something new? {} is waiting for you.',
] as const
const CALLS = ['Find out more:', 'Take a look:', 'Get yours today:', 'Learn more:', 'Check it out:'] as const

function hashtagCount(text: string): number {
  return text.match(/(?:^|[^\p{L}\p{N}_&])[#＃][\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu)?.length ?? 0
}

/** The caller's hashtags (at most 10), or one made from the topic. */
function hashtagsFor(input: { topic: string; hashtags?: string }): string {
  const given = (input.hashtags ?? '')
    .split(/[\s,;]+/)
    .map((tag) => tag.replace(/^[#＃]+/, ''))
    .filter(Boolean)
  if (given.length === 0) return hashtagOf(input.topic)
  return clip(
    given
      .slice(0, 10)
      .map((tag) => `#${tag}`)
      .join(' '),
    100,
  )
}

export const socialPost = defineTask({
  type: 'social_post',
  description: 'Posts for X, LinkedIn, Instagram or Facebook, within the channel’s length limit.',
  input: z.object({
    topic: z.string().trim().min(1, 'topic is required').max(2000),
    details: z.string().max(5000).optional(),
    link: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    hashtags: z.string().max(500).optional(),
  }),
  params: z.object({
    channel: z.enum(CHANNELS),
    variants: z.int().min(1).max(10).default(1),
  }),
  output: z.object({ posts: z.array(z.string().min(1)) }),
  kind: 'chat',
  listLengths: (params) => ({ posts: params.variants }),
  system: (params) => {
    const { max, unit } = CHANNEL_LIMITS[params.channel]
    return lines(
      `You write social media posts for ${CHANNEL_NAMES[params.channel]}.`,
      `Write ${plural(params.variants, 'post')}, each a different take, each at most ${max.toLocaleString('en-US')} ${unit}.`,
      params.channel === 'x' &&
        'On X every link counts as 23 characters and emoji, Chinese, Japanese and Korean characters count as 2.',
      params.channel === 'instagram' && `Use at most ${INSTAGRAM_MAX_HASHTAGS} hashtags.`,
      'Include the link if one is given. Put any hashtags inside the post text.',
      replyAsJson('{"posts": ["..."]}'),
    )
  },
  user: (input) =>
    lines(
      `Topic: ${input.topic}`,
      input.details && `Details: ${input.details}`,
      input.link && `Link: ${input.link}`,
      input.hashtags && `Hashtags to use: ${input.hashtags}`,
    ),
  check: (output, _input, params) => {
    const { max, measure, unit } = CHANNEL_LIMITS[params.channel]
    const violations: string[] = []
    if (output.posts.length !== params.variants)
      violations.push(`${plural(output.posts.length, 'post')}; expected ${params.variants}`)
    output.posts.forEach((post, index) => {
      const length = measure(post)
      if (length > max)
        violations.push(
          `post ${index + 1} is ${length.toLocaleString('en-US')} ${unit} on ${CHANNEL_NAMES[params.channel]}; the limit is ${max.toLocaleString('en-US')}`,
        )
      const tags = hashtagCount(post)
      if (params.channel === 'instagram' && tags > INSTAGRAM_MAX_HASHTAGS)
        violations.push(`post ${index + 1} has ${tags} hashtags; Instagram allows ${INSTAGRAM_MAX_HASHTAGS}`)
    })
    return violations
  },
  simulate: (input, params, seed) => {
    const { max, measure } = CHANNEL_LIMITS[params.channel]
    const topic = clip(input.topic, max * 2)
    const fits = (text: string) => measure(text) <= max
    const tags = hashtagsFor(input)
    const posts = Array.from({ length: params.variants }, (_, index) => {
      const tail = [pick(CALLS, seed, index), input.link, tags].filter(Boolean).join(' ')
      const templates = rotate(OPENERS, seed, index).map((opener) => `${opener} ${tail}`)
      return fitFirst(templates, topic, max, measure) || shortenUntil(tail, fits)
    })
    return jsonAnswer({ posts })
  },
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: (params) => params.variants * (params.channel === 'x' ? 70 : 160),
})
