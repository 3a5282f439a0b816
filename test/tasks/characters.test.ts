import { describe, expect, it } from 'vitest'
import { adsCharacterCount, characterCount, wordCount } from '../../shared/tasks/text-limits/characters'

describe('characterCount', () => {
  it('counts what a reader sees as one character once', () => {
    expect(characterCount('Sale')).toBe(4)
    expect(characterCount('👨‍👩‍👧‍👦')).toBe(1)
    expect(characterCount('🇫🇷👍🏽')).toBe(2)
    expect(characterCount('Cafe\u0301')).toBe(4)
    expect(characterCount('a\r\nb')).toBe(3)
  })
})

describe('adsCharacterCount', () => {
  it('counts Chinese, Japanese, Korean and full-width characters as 2', () => {
    expect(adsCharacterCount('Shoes')).toBe(5)
    expect(adsCharacterCount('靴')).toBe(2)
    expect(adsCharacterCount('セール')).toBe(6)
    expect(adsCharacterCount('한국어')).toBe(6)
    expect(adsCharacterCount('ＡＢ')).toBe(4)
    expect(adsCharacterCount('Café 靴')).toBe(7)
  })
})

describe('wordCount', () => {
  it('counts words and numbers (3.5 is one), not punctuation or emoji', () => {
    expect(wordCount('Hello, world!')).toBe(2)
    expect(wordCount("Don't miss 3.5% off — today 🎉")).toBe(5)
    expect(wordCount('')).toBe(0)
  })

  it('counts ASCII text by the same rule: numbers with separators, apostrophes, dots and underscores join', () => {
    expect(wordCount('1,000 items at $3.50 each')).toBe(5)
    expect(wordCount("it's e.g. foo_bar a-b")).toBe(5)
    expect(wordCount('1, 2 and 3,x')).toBe(5)
    expect(wordCount('Don’t stop')).toBe(wordCount("Don't stop"))
    expect(wordCount('a..b x_ .y 4,5,6, end')).toBe(6)
  })

  it('splits text without spaces into words', () => {
    expect(wordCount('防水のランニングシューズ')).toBeGreaterThan(1)
  })
})
