// Counting text the way people and ad platforms do: user-perceived characters (grapheme clusters),
// Google Ads' width (double-width scripts count 2) and words.

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
const wordSegmenter = new Intl.Segmenter(undefined, { granularity: 'word' })

/** Printable ASCII: one character per code unit, which spares the segmenter. */
export const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

/** The user-perceived characters of a text: an emoji ZWJ sequence or a letter with accents is one. */
export function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (part) => part.segment)
}

/** Characters as a reader counts them (grapheme clusters). */
export function characterCount(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length
  let count = 0
  for (const _ of graphemeSegmenter.segment(text)) count++
  return count
}

const DOUBLE_WIDTH =
  /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6]/u

/**
 * Characters as Google Ads counts them: double-width characters (Chinese, Japanese, Korean and
 * full-width forms) count 2.
 */
export function adsCharacterCount(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length
  let count = 0
  for (const { segment } of graphemeSegmenter.segment(text)) count += DOUBLE_WIDTH.test(segment) ? 2 : 1
  return count
}

const NO_SPACE_SCRIPTS =
  /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u
const SPACED_WORD = /[\p{L}\p{N}\p{M}]+(?:(?:['’._]|(?<=\p{N}),(?=\p{N}))[\p{L}\p{N}\p{M}]+)*/gu
const NON_ASCII = /\P{ASCII}/u

const isDigit = (code: number) => code >= 48 && code <= 57
const isWordChar = (code: number) => isDigit(code) || ((code | 32) >= 97 && (code | 32) <= 122)

/**
 * SPACED_WORD's rule for ASCII text, in one pass without a regex or a string per word: a run of
 * letters and digits, joined across `'`, `.` or `_` followed by a letter or digit, and across `,`
 * between digits.
 */
function asciiWordCount(text: string): number {
  let count = 0
  let inWord = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (isWordChar(code)) {
      if (!inWord) count++
      inWord = true
      continue
    }
    const next = text.charCodeAt(i + 1)
    const joins =
      inWord &&
      isWordChar(next) &&
      (code === 39 ||
        code === 46 ||
        code === 95 ||
        (code === 44 && isDigit(text.charCodeAt(i - 1)) && isDigit(next)))
    if (!joins) inWord = false
  }
  return count
}

/** Words, by Unicode word boundaries: punctuation and spaces are not words; CJK text splits into words too. */
export function wordCount(text: string): number {
  // Scripts written with spaces between words are counted by a regex, far cheaper than the
  // segmenter; the segmenter is kept for scripts without spaces (CJK, Thai, Lao, Khmer, Myanmar).
  if (!NON_ASCII.test(text)) return asciiWordCount(text)
  if (!NO_SPACE_SCRIPTS.test(text)) return text.match(SPACED_WORD)?.length ?? 0
  let count = 0
  for (const part of wordSegmenter.segment(text)) if (part.isWordLike) count++
  return count
}

/** The words of a text with the separators between them, for cutting at a word boundary. */
export function wordPieces(text: string): string[] {
  return Array.from(wordSegmenter.segment(text), (part) => part.segment)
}
