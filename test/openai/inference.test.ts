import { describe, expect, it } from 'vitest'
import { call, callJson } from '../support/api'
import { expectOpenAIError, OPENAI, tenantKey } from './support'

const chat = (key: string, body: Record<string, unknown>, status = 200) =>
  callJson(`${OPENAI}/chat/completions`, status, { method: 'POST', token: key, json: body })

describe('OpenAI-compatible chat completions and embeddings', () => {
  it('answers a chat completion in OpenAI’s shape, on the model asked for', async () => {
    const key = await tenantKey()
    const completion = await chat(key, {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Describe red trail shoes' }] },
      ],
      temperature: 0.2,
      top_p: 1,
    })
    expect(completion).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: expect.stringContaining('Describe red trail shoes'),
            refusal: null,
          },
          finish_reason: 'stop',
        },
      ],
    })
    const { usage } = completion
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens)

    // Counted to the tenant like any task.
    const months = await callJson('/v1/usage', 200, { token: key })
    expect(months.data[0]).toMatchObject({
      tasks: 1,
      input_tokens: usage.prompt_tokens,
      output_tokens: usage.completion_tokens,
    })
  })

  it('answers JSON that fits a response_format json_schema', async () => {
    const key = await tenantKey()
    const completion = await chat(key, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Rate this review' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'rating',
          schema: {
            type: 'object',
            properties: {
              sentiment: { enum: ['positive', 'negative'] },
              stars: { type: 'integer', minimum: 1 },
              tags: { type: 'array', items: { type: 'string' } },
            },
            required: ['sentiment', 'stars', 'tags'],
          },
        },
      },
    })
    const answer = JSON.parse(completion.choices[0].message.content)
    expect(['positive', 'negative']).toContain(answer.sentiment)
    expect(answer.stars).toBeGreaterThanOrEqual(1)
    expect(answer.tags).toEqual([expect.any(String)])
  })

  it('refuses stream: true, tools and n > 1 with OpenAI-shaped 400s', async () => {
    const key = await tenantKey()
    const messages = [{ role: 'user', content: 'Hi' }]
    const stream = await chat(key, { model: 'gpt-4o-mini', messages, stream: true }, 400)
    expectOpenAIError(stream, 'invalid_request_error', 'validation_failed')
    expect(stream.error.param).toBe('stream')
    expect(stream.error.message).toContain('streaming is not supported')
    expect((await chat(key, { model: 'm', messages, tools: [{ type: 'function' }] }, 400)).error.param).toBe(
      'tools',
    )
    expect((await chat(key, { model: 'm', messages, n: 2 }, 400)).error.param).toBe('n')
    const tool = await chat(key, { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 400)
    expect(tool.error.param).toBe('messages.0.role')
  })

  it('answers embeddings for a string or a list of strings', async () => {
    const key = await tenantKey()
    const list = await callJson(`${OPENAI}/embeddings`, 200, {
      method: 'POST',
      token: key,
      json: { model: 'text-embedding-3-small', input: ['red shoes', 'blue shoes', 'red shoes'] },
    })
    expect(list).toMatchObject({
      object: 'list',
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: expect.any(Number) },
    })
    expect(list.data).toHaveLength(3)
    expect(list.data[2]).toEqual({ ...list.data[0], index: 2 })
    expect(list.data[1].embedding).not.toEqual(list.data[0].embedding)
  })

  it('answers auth failures and unknown paths in OpenAI’s error shape', async () => {
    const missing = await callJson(`${OPENAI}/batches`, 401)
    expectOpenAIError(missing, 'authentication_error', 'unauthenticated')
    const wrong = await callJson(`${OPENAI}/files/file_x`, 401, { token: 'iab_sk_not-a-real-key' })
    expectOpenAIError(wrong, 'authentication_error', 'unauthenticated')

    const key = await tenantKey()
    const unknown = await callJson(`${OPENAI}/responses`, 404, { method: 'POST', token: key, json: {} })
    expectOpenAIError(unknown, 'invalid_request_error', 'unknown_url')
    const res = await call(`${OPENAI}/batches`, { token: key })
    expect(res.headers.get('RateLimit-Policy')).toMatch(/\S/)

    const huge = 'x'.repeat(1_100_000)
    const tooLarge = await chat(key, { model: 'm', messages: [{ role: 'user', content: huge }] }, 413)
    expectOpenAIError(tooLarge, 'invalid_request_error', 'payload_too_large')
  })

  it('needs the write scope to create, in OpenAI’s error shape', async () => {
    const { signUp, createKey } = await import('../support/api')
    const owner = await signUp()
    const { key } = await createKey(owner.accessToken, ['read'])
    const denied = await chat(key, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, 403)
    expectOpenAIError(denied, 'permission_error', 'forbidden')
  })
})
