import { describe, expect, it } from 'vitest'
import type { ModelCall } from '../../../workers/ai/provider'
import { anthropicProvider } from '../../../workers/ai/providers/anthropic'
import { baseUrl, receivedRequests, script, uniqueKey } from '../../support/protocol-servers/script'
import { PIXEL_PNG_BASE64, providerError, providerRequest } from './request'

const MODEL = 'claude-sonnet-4-5'

function setup() {
  const key = uniqueKey('anthropic')
  return { key, provider: anthropicProvider({ baseUrl: baseUrl('anthropic'), apiKey: key }) }
}

const hello: ModelCall = {
  kind: 'chat',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello.' },
  ],
}

describe('Anthropic provider: request mapping', () => {
  it('sends the key and version headers, the system prompt on top, and a default max_tokens', async () => {
    const { key, provider } = setup()
    await provider.generate(providerRequest(hello, MODEL))
    const [sent] = await receivedRequests('anthropic', key)
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    })
    expect(sent!.body).toEqual({
      model: MODEL,
      max_tokens: 1024,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hello.' }],
    })
  })

  it('sends image blocks by URL and as base64, with max_tokens and temperature when set', async () => {
    const { key, provider } = setup()
    await provider.generate(
      providerRequest(
        {
          kind: 'chat',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image', image: { url: 'https://cdn.example.com/shoe.jpg' } },
                { type: 'image', image: { data: PIXEL_PNG_BASE64, mediaType: 'image/png' } },
                { type: 'text', text: 'Describe these.' },
              ],
            },
          ],
          maxTokens: 300,
          temperature: 0.2,
        },
        MODEL,
      ),
    )
    const [sent] = await receivedRequests('anthropic', key)
    expect(sent!.body).toEqual({
      model: MODEL,
      max_tokens: 300,
      temperature: 0.2,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'url', url: 'https://cdn.example.com/shoe.jpg' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL_PNG_BASE64 } },
            { type: 'text', text: 'Describe these.' },
          ],
        },
      ],
    })
  })

  it('asks for JSON with one forced tool and returns the tool input as JSON text', async () => {
    const { key, provider } = setup()
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }
    await script('anthropic', key, [{ toolInput: { title: 'Red running shoes' } }])
    const result = await provider.generate(
      providerRequest({ ...hello, json: { name: 'product_title', schema } } as ModelCall, MODEL),
    )
    expect(result.output).toEqual({
      kind: 'text',
      text: '{"title":"Red running shoes"}',
      finishReason: 'tool_use',
    })
    const [sent] = await receivedRequests('anthropic', key)
    expect(sent!.body).toMatchObject({
      tools: [{ name: 'product_title', description: expect.any(String), input_schema: schema }],
      tool_choice: { type: 'tool', name: 'product_title' },
    })
  })
})

describe('Anthropic provider: responses', () => {
  it('joins text blocks and returns the reported model and usage', async () => {
    const { key, provider } = setup()
    await script('anthropic', key, [
      {
        body: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [
            { type: 'text', text: 'Hello' },
            { type: 'text', text: ', world.' },
          ],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 12, output_tokens: 4 },
        },
      },
    ])
    const result = await provider.generate(providerRequest(hello, MODEL))
    expect(result).toEqual({
      output: { kind: 'text', text: 'Hello, world.', finishReason: 'end_turn' },
      usage: { input_tokens: 12, output_tokens: 4 },
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
    })
  })
})

describe('Anthropic provider: errors', () => {
  it('maps 429 to rate_limited with the retry-after delay, then succeeds', async () => {
    const { key, provider } = setup()
    await script('anthropic', key, [{ status: 429, headers: { 'retry-after': '3' } }, { content: 'Hi.' }])
    const error = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, status: 429, retryAfterMs: 3000 })
    expect(error.detail).toContain('rate_limit_error')
    const result = await provider.generate(providerRequest(hello, MODEL))
    expect(result.output).toMatchObject({ text: 'Hi.' })
  })

  it('maps 529 overloaded and 500 to retryable provider_unavailable', async () => {
    const { key, provider } = setup()
    await script('anthropic', key, [{ status: 529 }, { status: 500 }])
    const overloaded = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(overloaded).toMatchObject({ code: 'provider_unavailable', retryable: true, status: 529 })
    expect(overloaded.detail).toContain('overloaded_error')
    const internal = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(internal).toMatchObject({ code: 'provider_unavailable', retryable: true, status: 500 })
  })

  it('maps a rejected key to provider_auth, not retryable', async () => {
    const provider = anthropicProvider({ baseUrl: baseUrl('anthropic'), apiKey: uniqueKey('bad') })
    const error = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(error).toMatchObject({ code: 'provider_auth', retryable: false, status: 401 })
    expect(error.detail).toContain('invalid x-api-key')
  })

  it('maps a 400 to invalid_request with Anthropic’s message as detail', async () => {
    const { provider } = setup()
    const error = await providerError(
      provider.generate(providerRequest({ ...hello, temperature: 1.5 } as ModelCall, MODEL)),
    )
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false, status: 400 })
    expect(error.detail).toContain('temperature: Input should be less than or equal to 1')
  })

  it('maps a refusal stop reason to content_filtered', async () => {
    const { key, provider } = setup()
    await script('anthropic', key, [{ finishReason: 'refusal', content: '' }])
    const error = await providerError(provider.generate(providerRequest(hello, MODEL)))
    expect(error).toMatchObject({ code: 'content_filtered', retryable: false })
  })

  it('maps a JSON call answered without the tool to bad_response', async () => {
    const { key, provider } = setup()
    await script('anthropic', key, [{ content: 'Here is some prose instead.' }])
    const json = { name: 'ad', schema: { type: 'object', properties: {} } }
    const error = await providerError(
      provider.generate(providerRequest({ ...hello, json } as ModelCall, MODEL)),
    )
    expect(error).toMatchObject({ code: 'bad_response', retryable: true })
  })
})
