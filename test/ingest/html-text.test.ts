import { describe, expect, it } from 'vitest'
import { htmlAsText } from '../../shared/ingest/html-text'

describe('HTML cells as prompt text', () => {
  it('turns tags, lists and entities into text', () => {
    expect(
      htmlAsText('<p>Waxed <strong>leather</strong> &amp; a <a href="https://x.test">cork</a> sole.</p>'),
    ).toBe('Waxed leather & a cork sole.')
    expect(htmlAsText('<ul><li>Waterproof</li><li>Light</li></ul>')).toBe('* Waterproof\n* Light')
    expect(htmlAsText('<h2>Care</h2><p>Wipe clean.</p><img src="x.png">')).toBe('Care\n\nWipe clean.')
  })

  it('leaves text that only looks a little like HTML as it is', () => {
    for (const value of ['Fish & Chips', 'a < b > c', '5 <= 6', 'Tee für Zwei', 42, null])
      expect(htmlAsText(value)).toBe(value)
  })
})
