// Building blocks for simulated answers: seeded choices, and fitting the input's words into a
// template so that the result keeps a limit however long or unusual the input is.
import { graphemes, wordPieces } from './text-limits/characters'

/** A number in [0, 1) that depends only on the seed and the salt (one mulberry32 step). */
export function seeded(seed: number, salt = 0): number {
  let t = (seed ^ Math.imul(salt + 1, 0x9e3779b9)) + 0x6d2b79f5
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export function pick<T>(items: readonly T[], seed: number, salt = 0): T {
  return items[Math.floor(seeded(seed, salt) * items.length)]!
}

const LOOSE_END = /[\s,;:\-–—([{/&+|]+$/u

/**
 * The largest k in [0, count) with fits(candidate(k)), assuming fits is mostly monotone; 0 if none.
 * Gallops up from 1 so that the cost follows the length that fits, not the length of the text.
 */
function largestFitting(count: number, candidate: (k: number) => string, fits: (text: string) => boolean) {
  let low = 0
  let high = 1
  while (high < count && fits(candidate(high))) {
    low = high
    high *= 2
  }
  high = Math.min(high, count)
  while (high - low > 1) {
    const middle = (low + high) >> 1
    if (fits(candidate(middle))) low = middle
    else high = middle
  }
  return low
}

/**
 * The longest start of a text for which `fits` holds: cut at a word boundary, or between
 * characters when even the first word is too long. Empty when nothing fits.
 */
export function shortenUntil(text: string, fits: (candidate: string) => boolean): string {
  if (fits(text)) return text
  const words = wordPieces(text)
  const byWords = (k: number) => words.slice(0, k).join('').replace(LOOSE_END, '')
  const wordCount = largestFitting(words.length, byWords, fits)
  if (wordCount > 0 && byWords(wordCount)) return byWords(wordCount)
  const chars = graphemes(text)
  const byChars = (k: number) => chars.slice(0, k).join('').replace(LOOSE_END, '')
  const charCount = largestFitting(chars.length, byChars, fits)
  const result = byChars(charCount)
  return result && fits(result) ? result : ''
}

/** The start of a text, cut at a word boundary to at most `maxLength` UTF-16 units: cheap to fit afterwards. */
export function clip(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : shortenUntil(text, (candidate) => candidate.length <= maxLength)
}

/** A template with `{}` replaced by the name (taken literally: `$&` in a name stays as it is). */
export function fill(template: string, name: string): string {
  return template.replace('{}', () => name)
}

/**
 * Fills `{}` in a template with as much of `name` as keeps `measure` within `max`;
 * undefined when not even a piece of the name fits.
 * @example fitInto('Shop {} today', 'Trail running shoes', 20, characterCount) // 'Shop Trail today'
 */
export function fitInto(
  template: string,
  name: string,
  max: number,
  measure: (text: string) => number,
): string | undefined {
  const part = shortenUntil(name, (candidate) => measure(fill(template, candidate)) <= max)
  return part ? fill(template, part) : undefined
}

/** The first template that fits with a piece of the name, else the name alone cut to fit. */
export function fitFirst(
  templates: readonly string[],
  name: string,
  max: number,
  measure: (text: string) => number,
): string {
  for (const template of templates) {
    const text = fitInto(template, name, max, measure)
    if (text) return text
  }
  return shortenUntil(name, (candidate) => measure(candidate) <= max)
}

/** Templates starting at a seeded position, so each seed prefers a different one. */
export function rotate<T>(items: readonly T[], seed: number, salt = 0): T[] {
  const start = Math.floor(seeded(seed, salt) * items.length)
  return [...items.slice(start), ...items.slice(0, start)]
}

/** A CamelCase hashtag from the first letters-and-digits words of a text, or '' if it has none. */
export function hashtagOf(text: string, maxWords = 3): string {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? []
  const tag = words
    .slice(0, maxWords)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('')
  return tag && !/^\p{N}+$/u.test(tag) ? `#${Array.from(tag).slice(0, 30).join('')}` : ''
}

/** Items of a comma-, semicolon- or newline-separated list. */
export function listItems(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,;\n]/)
    .map((item) => item.trim())
    .filter(Boolean)
}
