// Simulated answers look like real ones: they mention the input, vary with the seed and are
// deterministic for one seed.
import { describe, expect, it } from 'vitest'
import { findTask } from '../../shared/tasks'
import { embed } from '../../shared/tasks/embed'
import { simulated } from './run-task'

const shoes = 'Trail running shoes'

describe('simulated answers', () => {
  it('mention the product or topic', () => {
    const texts = [
      simulated(findTask('product_description')!, { title: shoes }, {}, 1).output.description,
      ...simulated(findTask('ad_copy')!, { title: shoes }, {}, 1).output.headlines,
      ...simulated(findTask('social_post')!, { topic: shoes }, { channel: 'x', variants: 2 }, 1).output.posts,
      simulated(findTask('sms')!, { topic: shoes, brand: 'Acme' }, {}, 1).output.text,
      simulated(findTask('seo_meta')!, { title: shoes }, {}, 1).output.title,
      simulated(findTask('image_alt_text')!, { image_file_id: 'f', context: shoes }, {}, 1).output.alt_text,
    ]
    for (const text of texts) expect(text.toLowerCase()).toContain('trail running shoes')
    const subjects = simulated(findTask('email_subject')!, { topic: shoes }, { preheader: true }, 1).output
      .variants
    expect(subjects).toHaveLength(5)
    for (const { subject, preheader } of subjects) {
      expect(subject).toContain(shoes)
      expect(preheader).toContain(shoes)
    }
  })

  it('are the same for a seed and differ between seeds', () => {
    const task = findTask('ad_copy')!
    expect(simulated(task, { title: shoes }, {}, 42)).toEqual(simulated(task, { title: shoes }, {}, 42))
    const firsts = new Set(
      Array.from(
        { length: 20 },
        (_, seed) => simulated(task, { title: shoes }, {}, seed).output.headlines[0],
      ),
    )
    expect(firsts.size).toBeGreaterThan(3)
  })

  it('summarise with sentences of the text', () => {
    const text = 'The battery lasts two days. The screen is bright outdoors. It weighs 180 grams.'
    const { output } = simulated(findTask('summarize')!, { text }, { max_words: 12 }, 3)
    expect(output.summary).toBe('The battery lasts two days. The screen is bright outdoors.')
  })

  it('translate into pseudo-text that keeps markup', () => {
    const { output } = simulated(
      findTask('translate')!,
      { text: 'Hello <b>{{name}}</b>' },
      { target_locale: 'fr' },
      1,
    )
    expect(output.text).toBe('Hélló <b>{{name}}</b>')
  })

  it('pick a label that the text names', () => {
    const params = { labels: ['shipping', 'refund', 'other'] }
    const { output } = simulated(findTask('classify')!, { text: 'Where is my refund?' }, params, 5)
    expect(output.label).toBe('refund')
  })

  it('embed identical texts identically, as unit vectors', () => {
    const first = simulated(embed, { text: 'red shoes' }, undefined, 1).output
    const again = simulated(embed, { text: 'red shoes' }, undefined, 999).output
    const other = simulated(embed, { text: 'blue shoes' }, undefined, 1).output
    expect(again.embedding).toEqual(first.embedding)
    expect(other.embedding).not.toEqual(first.embedding)
    expect(first.dimensions).toBe(384)
    expect(Math.hypot(...first.embedding)).toBeCloseTo(1, 10)
  })
})
