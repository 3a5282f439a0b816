import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { findTask, TASK_TYPES } from '../../shared/tasks'

const MARKETING_TASKS = [
  'product_description',
  'ad_copy',
  'social_post',
  'email_subject',
  'sms',
  'seo_meta',
  'translate',
  'summarize',
  'classify',
  'extract',
  'embed',
  'image_alt_text',
  'image_classify',
]
const REQUIRED_PARAMS: Record<string, unknown> = {
  social_post: { channel: 'x' },
  translate: { target_locale: 'de' },
  classify: { labels: ['yes', 'no'] },
  extract: { schema: { type: 'object', properties: { name: { type: 'string' } } } },
}

describe('task catalogue', () => {
  it('registers every marketing task under its type', () => {
    for (const type of MARKETING_TASKS) {
      expect(TASK_TYPES).toContain(type)
      expect(findTask(type)?.type).toBe(type)
    }
    expect(findTask('toString')).toBeUndefined()
    expect(findTask('nope')).toBeUndefined()
  })

  for (const type of MARKETING_TASKS) {
    it(`${type}: is complete for its kind and has defaults that parse`, () => {
      const task = findTask(type)!
      const params = task.params.parse(REQUIRED_PARAMS[type])
      expect(task.models.simulated).toBeTruthy()
      expect(Number.isFinite(task.expectedOutputTokens(params))).toBe(true)
      if ((params as { variants?: number }).variants !== undefined)
        expect((params as { variants: number }).variants).toBe(task.variants)
      if (task.kind === 'chat') {
        expect(task.call).toBeUndefined()
        expect(task.system!(params)).toMatch(/JSON/)
        const schema = task.jsonSchema?.(params) ?? z.toJSONSchema(task.output)
        expect(schema).toMatchObject({ type: 'object' })
      } else {
        expect(task.call).toBeDefined()
        expect(task.system).toBeUndefined()
        expect(task.models.anthropic).toBeUndefined()
      }
    })
  }

  it('states the limits in the instructions', () => {
    const system = (type: string, params?: unknown) => {
      const task = findTask(type)!
      return task.system!(task.params.parse(params))
    }
    expect(system('ad_copy')).toMatch(/5 headlines of at most 30 characters.*2 descriptions of at most 90/)
    expect(system('social_post', { channel: 'x' })).toContain('at most 280 weighted characters')
    expect(system('social_post', { channel: 'facebook', variants: 2 })).toContain('2 posts')
    expect(system('social_post', { channel: 'facebook' })).toContain('63,206')
    expect(system('email_subject', { preheader: true })).toContain('at most 100 characters')
    expect(system('sms', { max_segments: 2 })).toContain('306 characters')
    expect(system('summarize', { max_words: 25 })).toContain('at most 25 words')
    expect(system('translate', { target_locale: 'pt-BR' })).toContain('Brazilian Portuguese (pt-BR)')
  })
})
