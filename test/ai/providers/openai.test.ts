import { describe, expect, it } from 'vitest'
import type { ModelCall } from '../../../workers/ai/provider'
import { openaiProvider } from '../../../workers/ai/providers/openai'
import { baseUrl, origin, receivedRequests, script, uniqueKey } from '../../support/protocol-servers/script'
import { PIXEL_PNG_BASE64, providerError, providerRequest } from './request'

const MODEL = 'gpt-4o-mini'

function setup() {
  const key = uniqueKey('openai')
  return { key, provider: openaiProvider({ baseUrl: baseUrl('openai'), apiKey: key }) }
}

const hello: ModelCall = { kind: 'chat', messages: [{ role: 'user', content: 'Say hello.' }] }

describe('OpenAI provider: request mapping', () => {
  it('sends messages with text and image parts, limits, and a json_schema response format', async () => {
    const { key, provider } = setup()
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }
    await provider.generate(
      providerRequest(
        {
          kind: 'chat',
          messages: [
            { role: 'system', content: 'You write product titles.' },
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Title these:' },
                { type: 'image', image: { url: 'https://cdn.example.com/shoe.jpg' } },
                { type: 'image', image: { data: PIXEL_PNG_BASE64, mediaType: 'image/png' } },
              ],
            },
          ],
          json: { name: 'product_title', schema },
          maxTokens: 200,
          temperature: 0.3,
        },
        MODEL,
      ),
    )
    const [sent] = await receivedRequests('openai', key)
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    })
    expect(sent!.body).toEqual({
      model: MODEL,
      messages: [
        { role: 'system', content: 'You write product titles.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Title these:' },
            { type: 'image_url', image_url: { url: 'https://cdn.example.com/shoe.jpg' } },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL_PNG_BASE64}` } },
          ],
        },
      ],
      max_tokens: 200,
      temperature: 0.3,
      response_format: { type: 'json_schema', json_schema: { name: 'product_title', schema, strict: false } },
    })
  })

  it('leaves out limits that are not set and sends no key to a keyless server', async () => {
    const model = uniqueKey('llama3.2')
    const provider = openaiProvider({ baseUrl: `${origin('openai')}/open/v1`, slug: 'ollama' })
    const result = await provider.generate(providerRequest(hello, model))
    expect(result).toMatchObject({ provider: 'ollama', model })
    const [sent] = await receivedRequests('openai', model)
    expect(sent!.headers.authorization).toBeUndefined()
    expect(sent!.body).toEqual({ model, messages: [{ role: 'user', content: 'Say hello.' }] })
  })
})

describe('OpenAI provider: responses', () => {
  it('returns the message text, finish reason, reported model and usage', async () => {
    const { key, provider } = setup()
    await script('openai', key, [{ content: 'Hello there!', usage: { input_tokens: 11, output_tokens: 3 } }])
    const result = await provider.generate(providerRequest(hello, MODEL))
    expect(result).toEqual({
      output: { kind: 'text', text: 'Hello there!', finishReason: 'stop' },
      usage: { input_tokens: 11, output_tokens: 3 },
      provider: 'openai',
      model: MODEL,
    })
  })

  it('embeds texts into vectors in input order, with prompt tokens as usage', async () => {
    const { key, provider } = setup()
    const texts = ['red shoes', 'blue hat', 'green scarf']
    const result = await provider.generate(
      providerRequest({ kind: 'embed', texts }, 'text-embedding-3-small'),
    )
    expect(result.output.kind).toBe('vectors')
    const vectors = result.output.kind === 'vectors' ? result.output.vectors : []
    expect(vectors).toHaveLength(3)
    expect(vectors[0]).toHaveLength(1536)
    expect(result.usage.output_tokens).toBe(0)
    expect(result.usage.input_tokens).toBeGreaterThan(0)
    const [sent] = await receivedRequests('openai', key)
    expect(sent).toMatchObject({
      path: '/v1/embeddings',
      body: { model: 'text-embedding-3-small', input: texts },
    })
  })

  it('orders embeddings by their index, not by their position in the answer', async () => {
    const { key, provider } = setup()
    await script('openai', key, [
      {
        body: {
          object: 'list',
          model: 'text-embedding-3-small',
          data: [
            { object: 'embedding', index: 1, embedding: [0, 1] },
            { object: 'embedding', index: 0, embedding: [1, 0] },
          ],
          usage: { prompt_tokens: 4, total_tokens: 4 },
        },
      },
    ])
    const result = await provider.generate(providerRequest({ kind: 'embed', texts: ['a', 'b'] }, 'e'))
    expect(result.output).toEqual({
      kind: 'vectors',
      vectors: [
        [1, 0],
        [0, 1],
      ],
    })
  })
})

describe('OpenAI provider: errors', () => {
  it('maps 429 to a retryable rate_limited error with the retry-after delay', async () => {
    const { key, provider } = setup()
    await script('openai', key, [
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '9' } },
      { content: 'Recovered.' },
    ])
    const first = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(first).toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 2000 })
    expect(first.message).toBe('openai answered 429 (rate_limited).')
    expect(first.detail).toContain('Rate limit reached')
    const second = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(second).toMatchObject({ code: 'rate_limited', retryAfterMs: 1500 })
    const third = await provider.generate(providerRequest(hello, MODEL))
    expect(third.output).toMatchObject({ text: 'Recovered.' })
  })

  it('maps a rejected key to provider_auth, not retryable', async () => {
    const provider = openaiProvider({ baseUrl: baseUrl('openai'), apiKey: uniqueKey('bad') })
    const error = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(error).toMatchObject({ code: 'provider_auth', retryable: false, status: 401 })
    expect(error.detail).toContain('Incorrect API key provided')
  })

  it('maps a 400 to invalid_request with OpenAI’s message as detail', async () => {
    const { provider } = setup()
    const error = await providerError(
      provider.generate(providerRequest({ ...hello, temperature: 5 } as ModelCall, MODEL)),
    )
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false, status: 400 })
    expect(error.detail).toContain("Invalid 'temperature': decimal above maximum value")
  })

  it('maps a content filter stop or a refusal to content_filtered, not retryable', async () => {
    const { key, provider } = setup()
    await script('openai', key, [{ finishReason: 'content_filter' }, { refusal: 'I can’t help with that.' }])
    for (let i = 0; i < 2; i++) {
      const error = await providerError(provider.generate(providerRequest(hello, MODEL)))
      expect(error).toMatchObject({ code: 'content_filtered', retryable: false })
    }
  })

  it('maps an unparseable or unexpected answer to retryable bad_response', async () => {
    const { key, provider } = setup()
    await script('openai', key, [{ body: '<html>oops</html>' }, { body: { choices: [] } }])
    for (let i = 0; i < 2; i++) {
      const error = await providerError(provider.generate(providerRequest(hello, MODEL)))
      expect(error).toMatchObject({ code: 'bad_response', retryable: true })
    }
  })
})
