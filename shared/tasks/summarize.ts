// summarize: a summary of a text in at most a number of words, as a paragraph or as bullets.
import { z } from 'zod'
import { CHAT_MODELS } from './models'
import { lines, replyAsJson } from './prompt'
import { shortenUntil } from './simulate-text'
import { wordCount } from './text-limits/characters'
import { defineTask, jsonAnswer } from './types'

const BULLET = /^\s*[-•*]\s+\S/
const sentenceSegmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' })

function sentences(text: string): string[] {
  return Array.from(sentenceSegmenter.segment(text), (part) =>
    part.segment.replace(/\s+/g, ' ').trim(),
  ).filter((sentence) => wordCount(sentence) > 0)
}

export const summarize = defineTask({
  type: 'summarize',
  description: 'A summary of a text in at most a number of words, as a paragraph or as bullets.',
  input: z.object({ text: z.string().trim().min(1, 'text is required').max(100_000) }),
  params: z
    .object({
      max_words: z.int().min(10).max(1000).default(60),
      style: z.enum(['paragraph', 'bullets']).default('paragraph'),
    })
    .prefault({}),
  output: z.object({ summary: z.string().min(1) }),
  kind: 'chat',
  system: (params) =>
    lines(
      'You summarise texts faithfully: only what the text says, its key points first.',
      `Use at most ${params.max_words} words.`,
      params.style === 'bullets'
        ? 'Write bullet points: one point per line, each line starting with "- ".'
        : 'Write one paragraph of plain prose.',
      'Write in the language of the text.',
      replyAsJson('{"summary": "..."}'),
    ),
  user: (input) => input.text,
  check: (output, _input, params) => {
    const violations: string[] = []
    const words = wordCount(output.summary)
    if (words > params.max_words)
      violations.push(`summary is ${words} words; the limit is ${params.max_words}`)
    if (params.style === 'bullets') {
      const stray = output.summary
        .split('\n')
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => line.trim() && !BULLET.test(line))
      if (stray.length)
        violations.push(
          `summary is not all bullets: line ${stray.map(({ index }) => index + 1).join(', ')} does not start with "- "`,
        )
    }
    return violations
  },
  simulate: (input, params) => {
    const picked: string[] = []
    for (const sentence of sentences(input.text)) {
      if (wordCount([...picked, sentence].join(' ')) > params.max_words) break
      picked.push(sentence)
    }
    if (picked.length === 0) {
      const first = sentences(input.text)[0] ?? input.text
      picked.push(shortenUntil(first, (part) => wordCount(part) <= params.max_words) || first)
    }
    const summary =
      params.style === 'bullets' ? picked.map((sentence) => `- ${sentence}`).join('\n') : picked.join(' ')
    return jsonAnswer({ summary })
  },
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: (params) => Math.round(params.max_words * 1.4) + 20,
})
