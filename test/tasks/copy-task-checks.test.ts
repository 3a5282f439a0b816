import { describe, expect, it } from 'vitest'
import { adCopy } from '../../shared/tasks/ad-copy'
import { emailSubject } from '../../shared/tasks/email-subject'
import { productDescription } from '../../shared/tasks/product-description'
import { seoMeta } from '../../shared/tasks/seo-meta'
import { sms } from '../../shared/tasks/sms'
import { socialPost } from '../../shared/tasks/social-post'
import { jsonAnswer } from '../../shared/tasks/types'
import { readAnswer, simulated, violationsOf } from './run-task'

const words = (count: number) => Array.from({ length: count }, (_, i) => `word${i}`).join(' ')
const title = { title: 'Trail running shoes' }

describe('product_description check', () => {
  it('accepts up to 1.5 × the target and names the overrun past it', () => {
    expect(violationsOf(productDescription, { description: words(180) }, title)).toEqual([])
    expect(violationsOf(productDescription, { description: words(181) }, title)).toEqual([
      'description is 181 words; the limit is 180 (1.5 × the 120-word medium target)',
    ])
    expect(
      violationsOf(productDescription, { description: words(91) }, title, { length: 'short' }),
    ).toHaveLength(1)
  })
})

describe('product_description as HTML', () => {
  const html = { format: 'html' }
  it('writes paragraphs and a list of the features, counted as text and within the limit', () => {
    const { output, violations } = simulated(
      productDescription,
      { title: 'Trail Boot', features: 'waxed leather, cork sole, <b>bold</b> & light' },
      html,
      3,
    )
    expect(output.description).toMatch(/^<p>.+<\/p><ul><li>waxed leather<\/li><li>cork sole<\/li>/)
    expect(output.description).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; light')
    expect(violations).toEqual([])
  })

  it('counts the words of the text, not the tags, and names tags a store page should not get', () => {
    const tagged = `<p>${words(180)}</p><ul><li>one</li></ul>`
    expect(violationsOf(productDescription, { description: tagged }, title, html)).toEqual([
      'description is 181 words; the limit is 180 (1.5 × the 120-word medium target)',
    ])
    expect(
      violationsOf(productDescription, { description: '<h1>Boot</h1><p>Good.</p>' }, title, html),
    ).toEqual(['description uses HTML other than <p>, <ul>, <li>, <strong>, <em>, <br>'])
    expect(violationsOf(productDescription, { description: '<p>Good <br/> boot.</p>' }, title, html)).toEqual(
      [],
    )
  })
})

describe('ad_copy check', () => {
  const good = {
    headlines: [
      'Trail Running Shoes',
      'Shop Trail Shoes',
      'Free Shipping Today',
      'Grip on Any Trail',
      'New 2025 Models',
    ],
    descriptions: ['Lightweight trail shoes with grippy soles.', 'Order today, free returns within 30 days.'],
  }

  it('accepts an ad with the asked counts within the limits', () => {
    expect(violationsOf(adCopy, good, title)).toEqual([])
  })

  it('names each headline and description over its limit', () => {
    const output = {
      headlines: [good.headlines[0], 'Trail Running Shoes for Every Run', ...good.headlines.slice(2)],
      descriptions: [good.descriptions[0], 'x'.repeat(91)],
    }
    expect(violationsOf(adCopy, output, title)).toEqual([
      'headline 2 is 33 characters; the limit is 30',
      'description 2 is 91 characters; the limit is 90',
    ])
  })

  it('counts Chinese, Japanese and Korean characters as 2, as Google Ads does', () => {
    const output = {
      ...good,
      headlines: ['トレイルランニングシューズの新作セール', ...good.headlines.slice(1)],
    }
    expect(violationsOf(adCopy, output, title)).toEqual(['headline 1 is 38 characters; the limit is 30'])
  })

  it('flags missing assets and repeated headlines', () => {
    const output = { headlines: ['Trail Shoes', 'trail shoes ', 'Shop Now'], descriptions: good.descriptions }
    expect(violationsOf(adCopy, output, title, { headlines: 4 })).toEqual([
      '3 headlines; expected 4',
      'headline 2 repeats headline 1',
    ])
  })
})

describe('social_post check', () => {
  const topic = { topic: 'Spring sale' }

  it('measures X posts by weighted length, so a long link counts 23', () => {
    const post = `${'a'.repeat(256)} https://example.com/${'long-path/'.repeat(20)}`
    expect(post.length).toBeGreaterThan(280)
    expect(violationsOf(socialPost, { posts: [post] }, topic, { channel: 'x' })).toEqual([])
    expect(violationsOf(socialPost, { posts: [`${post}!`] }, topic, { channel: 'x' })).toEqual([
      'post 1 is 281 weighted characters on X (Twitter); the limit is 280',
    ])
    expect(violationsOf(socialPost, { posts: ['の'.repeat(141)] }, topic, { channel: 'x' })).toHaveLength(1)
  })

  it('applies each channel’s own limit', () => {
    const check = (channel: string, post: string) =>
      violationsOf(socialPost, { posts: [post] }, topic, { channel })
    expect(check('linkedin', 'a'.repeat(3000))).toEqual([])
    expect(check('linkedin', 'a'.repeat(3001))).toEqual([
      'post 1 is 3,001 characters on LinkedIn; the limit is 3,000',
    ])
    expect(check('instagram', 'a'.repeat(2201))).toHaveLength(1)
    expect(check('facebook', 'a'.repeat(63206))).toEqual([])
    expect(check('facebook', 'a'.repeat(63207))).toHaveLength(1)
  })

  it('flags more than 30 hashtags on Instagram and a wrong number of posts', () => {
    const tags = Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(' ')
    expect(violationsOf(socialPost, { posts: [tags] }, topic, { channel: 'instagram' })).toEqual([
      'post 1 has 31 hashtags; Instagram allows 30',
    ])
    expect(violationsOf(socialPost, { posts: ['One'] }, topic, { channel: 'x', variants: 2 })).toEqual([
      '1 post; expected 2',
    ])
  })
})

describe('email_subject check', () => {
  const topic = { topic: 'Spring sale' }

  it('counts subjects in characters as readers see them', () => {
    const subject = `${'a'.repeat(59)}👨‍👩‍👧‍👦`
    expect(violationsOf(emailSubject, { variants: [{ subject }] }, topic, { variants: 1 })).toEqual([])
    expect(
      violationsOf(emailSubject, { variants: [{ subject: `${subject}!` }] }, topic, { variants: 1 }),
    ).toEqual(['subject 1 is 61 characters; the limit is 60'])
  })

  it('requires a preheader of at most 100 characters when asked for', () => {
    const output = { variants: [{ subject: 'Hello' }, { subject: 'Hi', preheader: 'p'.repeat(101) }] }
    expect(violationsOf(emailSubject, output, topic, { variants: 2, preheader: true })).toEqual([
      'variant 1 has no preheader',
      'preheader 2 is 101 characters; the limit is 100',
    ])
  })
})

describe('sms', () => {
  it('computes encoding and segments from the text, not from what the model claims', () => {
    const answer = jsonAnswer({ text: 'Hi 👋', encoding: 'GSM-7', segments: 9 })
    expect(readAnswer(sms, answer, { topic: 'x' }).output).toEqual({
      text: 'Hi 👋',
      encoding: 'UCS-2',
      segments: 1,
    })
  })

  it('flags a text needing more segments than allowed', () => {
    expect(readAnswer(sms, jsonAnswer({ text: 'a'.repeat(161) }), { topic: 'x' }).violations).toEqual([
      'text needs 2 SMS segments (GSM-7, 161 septets); the limit is 1',
    ])
    expect(readAnswer(sms, jsonAnswer({ text: `${'a'.repeat(69)}😀` }), { topic: 'x' }).violations).toEqual([
      'text needs 2 SMS segments (UCS-2, 71 UTF-16 units); the limit is 1',
    ])
    expect(
      readAnswer(sms, jsonAnswer({ text: 'a'.repeat(161) }), { topic: 'x' }, { max_segments: 2 }).violations,
    ).toEqual([])
  })

  it('asks the model for the text only', () => {
    const schema = sms.jsonSchema!(sms.params.parse(undefined))
    expect(Object.keys(schema.properties as object)).toEqual(['text'])
  })
})

describe('seo_meta check', () => {
  it('names a title over 60 and a description over 160 characters', () => {
    expect(violationsOf(seoMeta, { title: 't'.repeat(60), description: 'd'.repeat(160) }, title)).toEqual([])
    expect(violationsOf(seoMeta, { title: 't'.repeat(61), description: 'd'.repeat(161) }, title)).toEqual([
      'title is 61 characters; the limit is 60',
      'description is 161 characters; the limit is 160',
    ])
  })
})
