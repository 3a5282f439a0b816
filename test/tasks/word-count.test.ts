import { describe, expect, it } from 'vitest'
import { wordCount } from '../../shared/tasks/text-limits/characters'

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })
const bySegmenter = (text: string) => [...segmenter.segment(text)].filter((part) => part.isWordLike).length

describe('word counting', () => {
  it.each([
    "Don't stop, e-mail us at 3.5 times the usual rate!",
    'Café crème — naïve résumé, 1,000 items in snake_case',
    "Made for hikers' feet.\nSay hello to 42 new colours 🧦🧦",
    'Привет, мир! Ελληνικά κείμενα και العربية أيضا',
  ])('counts spaced scripts as Unicode word boundaries do: %s', (text) => {
    expect(wordCount(text)).toBe(bySegmenter(text))
  })

  it('splits text written without spaces into words', () => {
    expect(wordCount('東京で新しい靴を買いました')).toBe(bySegmenter('東京で新しい靴を買いました'))
    expect(wordCount('東京で新しい靴を買いました')).toBeGreaterThan(1)
  })
})
