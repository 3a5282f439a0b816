// Every task type in the catalogue runs as a batch end to end on the simulated provider: outputs
// fit the task's output shape and limits, so none fails and none needs review.
import { describe, expect, it } from 'vitest'
import { TASK_TYPES } from '../../shared/tasks'
import { signUp } from '../support/api'
import { createBatch, expectEachExactlyOnce, resultLines, waitForStatus } from '../support/batches'

const product = {
  title: 'Merino trail socks 🧦',
  features: 'cushioned, odour-resistant',
  keywords: 'hiking socks',
}
const text = 'Our new <b>trail socks</b> ship on {{date}} to %s customers — order now!'
const image = { image_url: 'https://cdn.example.com/photos/red-running-shoes.jpg' }

const EXAMPLES: Record<string, { params?: Record<string, unknown>; input: Record<string, unknown> }> = {
  product_description: { input: product },
  ad_copy: { input: { ...product, landing_page: 'https://example.com/socks' } },
  social_post: {
    params: { channel: 'x', variants: 2 },
    input: { topic: product.title, link: 'https://example.com/s' },
  },
  email_subject: {
    params: { preheader: true },
    input: { topic: 'Winter sale on trail socks', audience: 'hikers' },
  },
  sms: { input: { topic: 'Your trail socks ship today 🚚', brand: 'Acme', link: 'https://ex.am/p' } },
  seo_meta: { input: product },
  translate: { params: { target_locale: 'fr-FR' }, input: { text } },
  summarize: { input: { text: `${text} `.repeat(30) } },
  classify: { params: { labels: ['positive', 'negative', 'neutral'] }, input: { text: 'Love these socks!' } },
  extract: {
    params: {
      schema: {
        type: 'object',
        properties: { product: { type: 'string' }, price: { type: 'number' } },
        required: ['product', 'price'],
      },
    },
    input: { text: 'The merino socks cost 19.99 euros.' },
  },
  embed: { input: { text: product.title } },
  image_alt_text: { input: image },
  image_classify: { input: image },
  openai_chat: {
    input: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Name three sock colours.' }] },
  },
  openai_embedding: { input: { model: 'text-embedding-3-small', input: 'merino socks' } },
}

describe('the task catalogue on the simulated provider', () => {
  it('has an example here for every task type', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual([...TASK_TYPES].sort())
  })

  it.each(TASK_TYPES)('runs a %s batch end to end', async (task) => {
    const owner = await signUp()
    const example = EXAMPLES[task]!
    const items = [1, 2, 3].map((n) => ({ custom_id: `${task}-${n}`, input: example.input }))
    const created = await createBatch(owner.accessToken, {
      task,
      params: example.params ?? {},
      items,
      cache: false,
    })
    const done = await waitForStatus(owner.accessToken, created.id)
    const lines = await resultLines(owner.accessToken, created.id)
    expectEachExactlyOnce(
      done,
      lines,
      items.map((item) => item.custom_id),
    )
    expect(lines.map((line) => [line.status, line.error, line.violations])).toEqual(
      items.map(() => ['succeeded', undefined, undefined]),
    )
    expect(lines.every((line) => line.provider === 'simulated')).toBe(true)
  })
})
