import { describe, expect, it } from 'vitest'
import {
  X_MAX_WEIGHTED_LENGTH,
  xLinkRanges,
  xWeightedLength,
} from '../../shared/tasks/text-limits/x-weighted-length'

describe('xWeightedLength', () => {
  it('counts Latin text, accents and general punctuation as 1 per character', () => {
    expect(xWeightedLength('This is a test.')).toBe(15)
    expect(xWeightedLength('A lié géts halfway arøünd')).toBe(25)
    expect(xWeightedLength('\u2013 \u2014 \u2018 \u201c \u2032 \u2037')).toBe(11)
  })

  it('counts CJK and other characters outside the light ranges as 2', () => {
    expect(xWeightedLength('故人西辞黄鹤楼')).toBe(14)
    expect(xWeightedLength('the故人')).toBe(7)
    expect(xWeightedLength('저찀쯿쿿')).toBe(8)
    expect(xWeightedLength('\u2030')).toBe(2)
  })

  it('normalises to NFC, so a decomposed accent counts once', () => {
    expect(xWeightedLength('A\u0301B')).toBe(2)
    expect(xWeightedLength('q\u0301')).toBe(2)
    expect(xWeightedLength('A\uFB2C')).toBe(4)
  })

  it('counts each emoji sequence as 2: ZWJ families, skin tones, flags and keycaps', () => {
    expect(xWeightedLength('👨‍👩‍👧‍👦')).toBe(2)
    expect(xWeightedLength('H🐱☺👨‍👩‍👧‍👦')).toBe(7)
    expect(xWeightedLength('🙋🏽👨‍🎤')).toBe(4)
    expect(xWeightedLength('🇫🇷🇯🇵')).toBe(4)
    expect(xWeightedLength('1️⃣#️⃣')).toBe(4)
    expect(xWeightedLength('🏳️‍🌈❤️‍🔥')).toBe(4)
    expect(xWeightedLength('😷👾😡🔥💩')).toBe(10)
  })

  it('keeps text-style symbols per character unless they ask for emoji presentation', () => {
    expect(xWeightedLength('©')).toBe(1)
    expect(xWeightedLength('©\uFE0F')).toBe(2)
    expect(xWeightedLength('1')).toBe(1)
  })

  it('counts every link as 23, with or without a scheme', () => {
    expect(xWeightedLength('http://test.com')).toBe(23)
    expect(xWeightedLength('https://example.com/a/very/long/path/that/goes/on?and=on&on=1')).toBe(23)
    expect(xWeightedLength('test.com')).toBe(23)
    expect(xWeightedLength('Test https://test.com test https://test.com test.com test')).toBe(86)
    expect(xWeightedLength('www.example.com/sale')).toBe(23)
    expect(xWeightedLength('foo.co.jp')).toBe(23)
    expect(xWeightedLength('t.co')).toBe(23)
    expect(xWeightedLength('HTTPS://www.ExaMPLE.COM/index.html')).toBe(23)
    expect(xWeightedLength('http://☃.net/')).toBe(23)
  })

  it('leaves trailing punctuation out of a link but keeps balanced parentheses', () => {
    expect(xWeightedLength('See example.com.')).toBe(4 + 23 + 1)
    expect(xWeightedLength('(see example.com/a_(b))')).toBe(5 + 23 + 1)
    expect(xWeightedLength('Go to https://example.com/sale!')).toBe(6 + 23 + 1)
  })

  it('does not count as links what X does not link', () => {
    expect(xWeightedLength('twitter.jp')).toBe(10)
    expect(xWeightedLength('twitter.jp/')).toBe(23)
    expect(xWeightedLength('user@example.com')).toBe(16)
    expect(xWeightedLength('ftp://example.com')).toBe(17)
    expect(xWeightedLength('version 3.5 and e.g. this')).toBe(25)
    expect(xWeightedLength('http://www.-domain4352.com/')).toBe(27)
    expect(xWeightedLength('http://domain-dash_2314352345_dfasd.foo-cow_4352.com')).toBe(52)
    const longLabel = `${'randomurl'.repeat(7)}s.com`
    expect(xWeightedLength(longLabel)).toBe(longLabel.length)
  })

  it('finds where the links are', () => {
    const text = 'Shop https://example.com/new, or visit www.example.org.'
    expect(xLinkRanges(text).map(([start, end]) => text.slice(start, end))).toEqual([
      'https://example.com/new',
      'www.example.org',
    ])
  })

  it('accepts exactly 280 and puts 281 over the limit', () => {
    const text = `${'x'.repeat(256)} https://example.com/x`
    expect(xWeightedLength(text)).toBe(X_MAX_WEIGHTED_LENGTH)
    expect(xWeightedLength(`${text}!`)).toBe(281)
    expect(xWeightedLength('の'.repeat(140))).toBe(280)
    expect(xWeightedLength(`${'の'.repeat(140)}a`)).toBe(281)
    expect(xWeightedLength('🐱'.repeat(140))).toBe(280)
  })
})
