// email_subject: subject line variants for an email, optionally each with a preheader.
import { z } from 'zod'
import { CHAT_MODELS } from './models'
import { lines, plural, replyAsJson } from './prompt'
import { clip, fitFirst, rotate } from './simulate-text'
import { characterCount } from './text-limits/characters'
import { defineTask, jsonAnswer } from './types'

export const SUBJECT_MAX = 60
export const PREHEADER_MAX = 100

const SUBJECTS = [
  '{} is here',
  'Meet {}',
  'Your first look at {}',
  'Just for you: {}',
  "Don't miss {}",
  '{}: now available',
  'Say hello to {}',
  'New in: {}',
] as const
const PREHEADERS = [
  'Open to see what makes {} different.',
  'Everything you need to know about {}, in one email.',
  '{} — and a little something extra inside.',
  'Be among the first to try {}.',
] as const

export const emailSubject = defineTask({
  type: 'email_subject',
  description: `Email subject lines (≤ ${SUBJECT_MAX} characters), each optionally with a preheader (≤ ${PREHEADER_MAX}).`,
  input: z.object({
    topic: z.string().trim().min(1, 'topic is required').max(2000),
    audience: z.string().max(200).optional(),
    offer: z.string().max(500).optional(),
  }),
  params: z
    .object({
      variants: z.int().min(1).max(10).default(5),
      preheader: z.boolean().default(false),
    })
    .prefault({}),
  output: z.object({
    variants: z.array(z.object({ subject: z.string().min(1), preheader: z.string().optional() })),
  }),
  kind: 'chat',
  listLengths: (params) => ({ variants: params.variants }),
  system: (params) =>
    lines(
      'You write email subject lines that get opened without resorting to clickbait.',
      `Write ${plural(params.variants, 'subject line')}, each different, each at most ${SUBJECT_MAX} characters.`,
      params.preheader
        ? `Give each a preheader (the preview text after the subject) of at most ${PREHEADER_MAX} characters that adds to the subject rather than repeating it.`
        : 'Do not write preheaders.',
      'No ALL CAPS, at most one emoji per subject.',
      replyAsJson(
        params.preheader
          ? '{"variants": [{"subject": "...", "preheader": "..."}]}'
          : '{"variants": [{"subject": "..."}]}',
      ),
    ),
  user: (input) =>
    lines(
      `Email about: ${input.topic}`,
      input.audience && `Audience: ${input.audience}`,
      input.offer && `Offer: ${input.offer}`,
    ),
  check: (output, _input, params) => {
    const violations: string[] = []
    if (output.variants.length !== params.variants)
      violations.push(`${plural(output.variants.length, 'variant')}; expected ${params.variants}`)
    output.variants.forEach((variant, index) => {
      const subject = characterCount(variant.subject)
      if (subject > SUBJECT_MAX)
        violations.push(`subject ${index + 1} is ${subject} characters; the limit is ${SUBJECT_MAX}`)
      if (params.preheader && !variant.preheader?.trim())
        violations.push(`variant ${index + 1} has no preheader`)
      const preheader = characterCount(variant.preheader ?? '')
      if (preheader > PREHEADER_MAX)
        violations.push(`preheader ${index + 1} is ${preheader} characters; the limit is ${PREHEADER_MAX}`)
    })
    return violations
  },
  simulate: (input, params, seed) => {
    const subjects = rotate(SUBJECTS, seed)
    const preheaders = rotate(PREHEADERS, seed, 1)
    const topic = clip(input.topic, 120)
    const about = clip(input.offer || input.topic, 200)
    const variants = Array.from({ length: params.variants }, (_, index) => {
      const subject = fitFirst([subjects[index % subjects.length]!], topic, SUBJECT_MAX, characterCount)
      if (!params.preheader) return { subject }
      const template = preheaders[index % preheaders.length]!
      return { subject, preheader: fitFirst([template], about, PREHEADER_MAX, characterCount) }
    })
    return jsonAnswer({ variants })
  },
  models: CHAT_MODELS,
  variants: 5,
  expectedOutputTokens: (params) => params.variants * (params.preheader ? 40 : 15) + 20,
})
