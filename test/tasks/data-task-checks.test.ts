import { describe, expect, it } from 'vitest'
import { classify } from '../../shared/tasks/classify'
import { embed } from '../../shared/tasks/embed'
import { extract } from '../../shared/tasks/extract'
import { imageAltText } from '../../shared/tasks/image-alt-text'
import { imageClassify } from '../../shared/tasks/image-classify'
import { summarize } from '../../shared/tasks/summarize'
import { jsonAnswer } from '../../shared/tasks/types'
import { readAnswer, violationsOf } from './run-task'

const text = { text: 'The battery lasts two days and the screen is bright.' }

describe('summarize check', () => {
  it('flags a summary over the word limit', () => {
    const summary = Array.from({ length: 61 }, () => 'word').join(' ')
    expect(violationsOf(summarize, { summary: summary.replace(/ word$/, '') }, text)).toEqual([])
    expect(violationsOf(summarize, { summary }, text)).toEqual(['summary is 61 words; the limit is 60'])
  })

  it('flags lines that are not bullets when bullets were asked for', () => {
    const params = { style: 'bullets' }
    expect(violationsOf(summarize, { summary: '- Long battery\n- Bright screen' }, text, params)).toEqual([])
    expect(
      violationsOf(summarize, { summary: 'Summary:\n- Long battery\nBright screen' }, text, params),
    ).toEqual(['summary is not all bullets: line 1, 3 does not start with "- "'])
  })
})

describe('classify', () => {
  const params = { labels: ['positive', 'negative', 'neutral'] }

  it('accepts one of the labels and names a label that is not', () => {
    expect(violationsOf(classify, { label: 'positive', confidence: 0.9 }, text, params)).toEqual([])
    expect(violationsOf(classify, { label: 'Positive', confidence: 0.9 }, text, params)).toEqual([
      'label "Positive" is not one of: positive, negative, neutral',
    ])
  })

  it('sends the labels to the model as an enum', () => {
    const schema = classify.jsonSchema!(classify.params.parse(params)) as {
      properties: { label: { enum: string[] } }
    }
    expect(schema.properties.label.enum).toEqual(params.labels)
  })

  it('rejects repeated labels', () => {
    expect(classify.params.safeParse({ labels: ['a', 'a'] }).success).toBe(false)
  })
})

describe('extract', () => {
  const schema = {
    type: 'object',
    properties: { battery_days: { type: 'integer', minimum: 0 }, screen: { type: 'string' } },
    required: ['battery_days'],
    additionalProperties: false,
  }

  it('checks the output against the caller’s schema and names each problem', () => {
    expect(violationsOf(extract, { battery_days: 2, screen: 'bright' }, text, { schema })).toEqual([])
    expect(violationsOf(extract, { battery_days: 'two', price: 3 }, text, { schema })).toEqual([
      '$.battery_days: expected integer, got string',
      '$.price: property not allowed by the schema',
    ])
  })

  it('sends the caller’s schema to the model', () => {
    expect(extract.jsonSchema!(extract.params.parse({ schema }))).toEqual(schema)
  })

  it('accepts only object schemas as params', () => {
    expect(extract.params.safeParse({ schema: { type: 'array' } }).success).toBe(false)
  })
})

describe('embed', () => {
  it('reads the first vector of a vectors answer', () => {
    const answer = { kind: 'vectors' as const, vectors: [[0.6, 0.8]] }
    expect(readAnswer(embed, answer, text)).toEqual({
      output: { embedding: [0.6, 0.8], dimensions: 2 },
      violations: [],
    })
  })

  it('flags an embedding whose size does not match its dimensions', () => {
    expect(violationsOf(embed, { embedding: [1, 0], dimensions: 3 }, text)).toEqual([
      'embedding has 2 values; dimensions says 3',
    ])
  })
})

describe('image_alt_text', () => {
  const input = { image_url: 'https://cdn.example.com/p/red-shoes.jpg' }

  it('flags alt text over 125 characters or starting with "Image of"', () => {
    expect(violationsOf(imageAltText, { alt_text: 'Red trail shoe, side view' }, input)).toEqual([])
    expect(violationsOf(imageAltText, { alt_text: `Image of ${'a'.repeat(117)}` }, input)).toEqual([
      'alt_text is 126 characters; the limit is 125',
      'alt_text starts with "Image of"; screen readers already announce an image',
    ])
  })

  it('sends the image by URL, or as a file reference the executor resolves', () => {
    const params = imageAltText.params.parse(undefined)
    expect(imageAltText.user!(imageAltText.input.parse(input), params)).toContainEqual({
      type: 'image',
      image: { url: input.image_url },
    })
    expect(
      imageAltText.user!(imageAltText.input.parse({ image_file_id: 'file_123' }), params),
    ).toContainEqual({
      type: 'image',
      image: { url: 'file:file_123' },
    })
  })

  it('takes exactly one image source, over http(s)', () => {
    expect(imageAltText.input.safeParse({}).success).toBe(false)
    expect(imageAltText.input.safeParse({ ...input, image_file_id: 'file_1' }).success).toBe(false)
    expect(imageAltText.input.safeParse({ image_url: 'ftp://example.com/a.jpg' }).success).toBe(false)
  })
})

describe('image_classify', () => {
  const input = { image_url: 'https://cdn.example.com/p/1.jpg' }
  const labels = ['tabby', 'tiger cat', 'Egyptian cat', 'lynx', 'carton', 'pillow', 'quilt'].map(
    (label, i) => ({
      label,
      score: [0.05, 0.3, 0.2, 0.01, 0.25, 0.1, 0.09][i]!,
    }),
  )

  it('keeps the five best labels, best first', () => {
    const { output } = readAnswer(imageClassify, { kind: 'labels', labels }, input)
    expect(output.labels.map((entry: { label: string }) => entry.label)).toEqual([
      'tiger cat',
      'carton',
      'Egyptian cat',
      'pillow',
      'quilt',
    ])
  })

  it('keeps only the caller’s labels when given, and flags when none was recognised', () => {
    const wanted = readAnswer(imageClassify, { kind: 'labels', labels }, input, { labels: ['Lynx', 'tabby'] })
    expect(wanted.output.labels).toEqual([labels[0], labels[3]])
    const none = readAnswer(imageClassify, { kind: 'labels', labels }, input, { labels: ['dog'] })
    expect(none.violations).toEqual(['none of the given labels was recognised'])
  })

  it('calls the classifier with the image', () => {
    expect(imageClassify.call!(imageClassify.input.parse(input), {})).toEqual({
      kind: 'classify_image',
      image: { url: input.image_url },
    })
  })

  it('cannot read a chat answer', () => {
    expect(() => readAnswer(imageClassify, jsonAnswer({ labels: [] }), input)).toThrow()
  })
})
