// Simulated answers must read like real ones and keep every limit, whatever the input.
import { describe, expect, it } from 'vitest'
import { findTask } from '../../shared/tasks'
import { simulated } from './run-task'

const SEEDS = 200
const LONG_TITLE =
  'Ultra-Lightweight Waterproof Trail Running Shoes with Responsive Foam Cushioning, Breathable Mesh Upper, Reinforced Toe Cap, Reflective Details and Grippy Outsole for Men and Women, Available in Twelve Colours and Half Sizes, Vegan Materials, Recycled Laces, Designed in Portland and Tested on Mountain Trails Across Three Continents by Professional Ultrarunners Who Demand the Very Best Grip, Comfort, Stability and Durability Mile After Mile, Season After Season'
const AWKWARD = [
  'Trail running shoes',
  LONG_TITLE,
  '🔥👨‍👩‍👧‍👦 Family Pack 🇫🇷 Édition limitée 1️⃣ ✨',
  '超軽量防水トレイルランニングシューズ'.repeat(6),
  'A'.repeat(400),
  '🎉'.repeat(150),
  'Save $& {} $1 now {{name}} at shop.example.com/new',
  'Cafe\u0301 cre\u0300me bru\u0302le\u0301e set € [x] {y} ^z~',
]

/** Awkward inputs and params sets: each params set runs SEEDS seeds, cycling through the inputs. */
const CASES: Record<string, { inputs: Record<string, unknown>[]; params: unknown[] }> = {
  product_description: {
    inputs: AWKWARD.map((title, i) => ({
      title,
      features: i % 2 ? LONG_TITLE : 'grip, foam',
      audience: title.slice(0, 200),
    })),
    params: [{ length: 'short' }, { length: 'medium' }, { length: 'long', tone: 'playful' }],
  },
  ad_copy: {
    inputs: AWKWARD.map((title) => ({
      title,
      keywords: `${title}, trail shoes`,
      landing_page: 'https://example.com/x',
    })),
    params: [undefined, { headlines: 15, descriptions: 4 }, { headlines: 3 }],
  },
  social_post: {
    inputs: AWKWARD.map((topic, i) => ({
      topic,
      link: i % 2 ? `https://example.com/${'a'.repeat(300)}` : undefined,
      hashtags: [
        undefined,
        `#spring, sale ＃🔥 ${Array.from(topic).slice(0, 300).join('')}`,
        'a b c d e '.repeat(40),
      ][i % 3],
    })),
    params: ['x', 'linkedin', 'instagram', 'facebook'].flatMap((channel) => [
      { channel },
      { channel, variants: 3 },
    ]),
  },
  email_subject: {
    inputs: AWKWARD.map((topic) => ({ topic, offer: topic })),
    params: [undefined, { variants: 10, preheader: true }, { variants: 1, preheader: true }],
  },
  sms: {
    inputs: AWKWARD.flatMap((topic) => [
      { topic },
      { topic, brand: 'Acme 🚀', link: 'https://acme.example/s' },
      { topic, brand: 'B'.repeat(50), link: `https://example.com/${'p'.repeat(400)}` },
    ]),
    params: [undefined, { max_segments: 2 }],
  },
  seo_meta: {
    inputs: AWKWARD.map((title) => ({ title, keywords: title })),
    params: [undefined],
  },
  translate: {
    inputs: [
      ...AWKWARD.map((text) => ({ text })),
      {
        text: 'Hi {{name}}, <a href="https://example.com/a?b=1" title="Offer">see the <b>sale</b></a> &amp; %1$s {n} %d',
      },
    ],
    params: [{ target_locale: 'fr' }, { target_locale: 'ja-JP' }],
  },
  summarize: {
    inputs: [
      ...AWKWARD.map((text) => ({ text })),
      { text: `${LONG_TITLE}. ${LONG_TITLE}! Short one? ${'word '.repeat(700)}` },
    ],
    params: [undefined, { max_words: 10, style: 'bullets' }, { max_words: 300 }],
  },
  classify: {
    inputs: AWKWARD.map((text) => ({ text })),
    params: [{ labels: ['positive', 'negative'] }, { labels: ['🔥 hot', 'A', '超'] }],
  },
  extract: {
    inputs: AWKWARD.map((text) => ({ text })),
    params: [
      {
        schema: {
          type: 'object',
          properties: {
            name: { type: 'string', maxLength: 20 },
            code: { type: 'string', minLength: 12, maxLength: 12 },
            price: { type: 'number', minimum: 0.5, maximum: 0.75 },
            count: { type: 'integer', minimum: 3, maximum: 3 },
            tags: { type: 'array', items: { enum: ['a', 'b'] } },
            meta: { type: 'object', properties: { ok: { type: 'boolean' } }, additionalProperties: false },
          },
          required: ['name', 'price'],
          additionalProperties: false,
        },
      },
    ],
  },
  embed: { inputs: AWKWARD.map((text) => ({ text })), params: [undefined] },
  image_alt_text: {
    inputs: [
      { image_url: 'https://cdn.example.com/products/red-running-shoes_2.jpg' },
      { image_url: 'https://cdn.example.com/%E2%9C%A8/%ZZ.png' },
      { image_file_id: 'file_01HXYZ' },
      ...AWKWARD.map((context) => ({ image_file_id: 'file_1', context })),
      { image_url: 'https://example.com/a.jpg', context: 'Image of a picture of a dog' },
    ],
    params: [undefined],
  },
  image_classify: {
    inputs: [{ image_url: 'https://cdn.example.com/p/1.jpg' }],
    params: [undefined, { labels: ['cat'] }, { labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }],
  },
}

describe('simulated answers', () => {
  for (const [type, { inputs, params }] of Object.entries(CASES)) {
    it(`${type}: keep every limit for ${SEEDS} seeds and awkward inputs`, () => {
      const task = findTask(type)!
      for (const options of params)
        for (let seed = 0; seed < SEEDS; seed++) {
          const input = inputs[seed % inputs.length]
          const { violations } = simulated(task, input, options, seed * 7919)
          if (violations.length) expect({ input, options, seed, violations }).toBeUndefined()
        }
    })
  }
})
