// GET /v1/tasks: what a CSV needs for each task, before anything is uploaded.
import { describe, expect, it } from 'vitest'
import { type Body, callJson, expectErrorEnvelope, signUp } from '../support/api'

describe('the task catalogue', () => {
  it('lists every task with its input fields, params and their defaults, and its output', async () => {
    const owner = await signUp()
    const list = await callJson('/v1/tasks', 200, { token: owner.accessToken })
    const types = list.data.map((task: Body) => task.type)
    expect(types).toEqual(expect.arrayContaining(['product_description', 'seo_meta', 'ad_copy']))
    const ads = list.data.find((task: Body) => task.type === 'ad_copy')
    expect(ads.params.properties.headlines).toMatchObject({ default: 5, minimum: 3, maximum: 15 })
    const description = await callJson('/v1/tasks/product_description', 200, { token: owner.accessToken })
    expect(description).toMatchObject({ object: 'task', type: 'product_description', kind: 'chat' })
    expect(description.input.required).toEqual(['title'])
    expect(description.input.properties.title).toMatchObject({ type: 'string', maxLength: 500 })
    expect(Object.keys(description.output.properties)).toContain('description')
  })

  it('answers 404 naming the known tasks for an unknown one', async () => {
    const owner = await signUp()
    const missing = await callJson('/v1/tasks/product_descriptions', 404, { token: owner.accessToken })
    expectErrorEnvelope(missing, 'unknown_task')
    expect(missing.error.message).toContain('Known tasks: ')
  })
})
