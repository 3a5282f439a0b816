// Drives the Workers AI provider through `aiOverRest` against a local server speaking the REST API.
import { describe, expect, it } from 'vitest'
import type { ModelCall } from '../../../workers/ai/provider'
import { aiOverRest, workersAiProvider } from '../../../workers/ai/providers/workers-ai'
import { bindingError } from '../../../workers/ai/providers/workers-ai/errors'
import { baseUrl, origin, receivedRequests, script, uniqueKey } from '../../support/protocol-servers/script'
import { PIXEL_PNG_BASE64, providerError, providerRequest } from './request'

const ACCOUNT = '0123456789abcdef0123456789abcdef'
const LLAMA = '@cf/meta/llama-3.1-8b-instruct'
const VISION = '@cf/meta/llama-3.2-11b-vision-instruct'
const PIXEL_BYTES = Array.from(atob(PIXEL_PNG_BASE64), (c) => c.charCodeAt(0))

function setup() {
  const key = uniqueKey('cf')
  const ai = aiOverRest({ baseUrl: baseUrl('workersAi'), accountId: ACCOUNT, apiToken: key })
  return { key, ai, provider: workersAiProvider({ ai }) }
}

const hello: ModelCall = {
  kind: 'chat',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello.' },
  ],
}

describe('Workers AI provider: text generation', () => {
  it('runs the model with messages and limits, returning the response and its usage', async () => {
    const { key, provider } = setup()
    await script('workersAi', key, [{ content: 'Hello!', usage: { input_tokens: 20, output_tokens: 2 } }])
    const result = await provider.generate(
      providerRequest({ ...hello, maxTokens: 64, temperature: 0.5 } as ModelCall, LLAMA),
    )
    expect(result).toEqual({
      output: { kind: 'text', text: 'Hello!' },
      usage: { input_tokens: 20, output_tokens: 2 },
      provider: 'workers-ai',
      model: LLAMA,
    })
    const [sent] = await receivedRequests('workersAi', key)
    expect(sent).toMatchObject({
      method: 'POST',
      path: `/client/v4/accounts/${ACCOUNT}/ai/run/${LLAMA}`,
      headers: { authorization: `Bearer ${key}` },
    })
    expect(sent!.body).toEqual({
      messages: hello.kind === 'chat' && hello.messages,
      max_tokens: 64,
      temperature: 0.5,
    })
  })

  it('asks for JSON mode with the schema and stringifies an object response', async () => {
    const { key, provider } = setup()
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }
    const result = await provider.generate(
      providerRequest({ ...hello, json: { name: 'product_title', schema } } as ModelCall, LLAMA),
    )
    expect(result.output).toEqual({ kind: 'text', text: JSON.stringify({ title: 'sample title' }) })
    const [sent] = await receivedRequests('workersAi', key)
    expect(sent!.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: schema } })
  })

  it('estimates usage when the model reports none', async () => {
    const { key, provider } = setup()
    await script('workersAi', key, [{ result: { response: 'Twelve chars' } }])
    const result = await provider.generate(providerRequest(hello, LLAMA))
    expect(result.usage).toEqual({ input_tokens: 5, output_tokens: 3 })
  })

  it('passes a vision call’s image as bytes beside text-only messages', async () => {
    const { key, provider } = setup()
    for (const image of [
      { data: PIXEL_PNG_BASE64, mediaType: 'image/png' },
      { url: `${origin('workersAi')}/__fixtures/pixel.png` },
    ]) {
      await provider.generate(
        providerRequest(
          {
            kind: 'chat',
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'What is this?' },
                  { type: 'image', image },
                ],
              },
            ],
          },
          VISION,
        ),
      )
    }
    const sent = await receivedRequests('workersAi', key)
    for (const request of sent) {
      expect(request.body).toEqual({
        messages: [{ role: 'user', content: 'What is this?' }],
        image: PIXEL_BYTES,
      })
    }
    expect(sent).toHaveLength(2)
  })
})

describe('Workers AI provider: embeddings, classification and detection', () => {
  it('embeds texts with a bge model', async () => {
    const { key, provider } = setup()
    const result = await provider.generate(
      providerRequest({ kind: 'embed', texts: ['red shoes', 'blue hat'] }, '@cf/baai/bge-base-en-v1.5'),
    )
    const vectors = result.output.kind === 'vectors' ? result.output.vectors : []
    expect(vectors).toHaveLength(2)
    expect(vectors[0]).toHaveLength(768)
    const [sent] = await receivedRequests('workersAi', key)
    expect(sent!.body).toEqual({ text: ['red shoes', 'blue hat'] })
  })

  it('classifies text into labels with scores', async () => {
    const { key, provider } = setup()
    const result = await provider.generate(
      providerRequest(
        { kind: 'classify_text', text: 'I love these shoes' },
        '@cf/huggingface/distilbert-sst-2-int8',
      ),
    )
    expect(result.output.kind).toBe('labels')
    const labels = result.output.kind === 'labels' ? result.output.labels.map((l) => l.label).sort() : []
    expect(labels).toEqual(['NEGATIVE', 'POSITIVE'])
    const [sent] = await receivedRequests('workersAi', key)
    expect(sent!.body).toEqual({ text: 'I love these shoes' })
  })

  it('classifies an image fetched from a URL, sending its bytes', async () => {
    const { key, provider } = setup()
    const result = await provider.generate(
      providerRequest(
        { kind: 'classify_image', image: { url: `${origin('workersAi')}/__fixtures/pixel.png` } },
        '@cf/microsoft/resnet-50',
      ),
    )
    expect(result.output).toMatchObject({
      kind: 'labels',
      labels: expect.arrayContaining([{ label: 'TABBY', score: expect.any(Number) }]),
    })
    expect(result.usage).toEqual({ input_tokens: 0, output_tokens: 0 })
    const [sent] = await receivedRequests('workersAi', key)
    expect(sent!.body).toEqual({ image: PIXEL_BYTES })
  })

  it('detects objects with their boxes in an inline image', async () => {
    const { key, provider } = setup()
    const detected = [{ label: 'bottle', score: 0.97, box: { xmin: 1, ymin: 2, xmax: 30, ymax: 40 } }]
    await script('workersAi', key, [{ result: detected }])
    const result = await provider.generate(
      providerRequest(
        { kind: 'detect_objects', image: { data: PIXEL_PNG_BASE64, mediaType: 'image/png' } },
        '@cf/facebook/detr-resnet-50',
      ),
    )
    expect(result.output).toEqual({ kind: 'objects', objects: detected })
  })
})

describe('Workers AI provider: errors', () => {
  it('maps capacity (3040) to retryable provider_unavailable and a rate limit (3036) to rate_limited', async () => {
    const { key, provider } = setup()
    await script('workersAi', key, [
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 429, errorCode: 3036, message: 'AiError: Account limited', headers: { 'retry-after': '60' } },
    ])
    const capacity = await providerError(provider.generate(providerRequest(hello, LLAMA)))
    expect(capacity).toMatchObject({
      code: 'provider_unavailable',
      retryable: true,
      status: 429,
      retryAfterMs: 2000,
    })
    expect(capacity.message).toBe('Workers AI answered 429 (provider_unavailable, error 3040).')
    expect(capacity.detail).toContain('3040: Capacity temporarily exceeded')
    const limited = await providerError(provider.generate(providerRequest(hello, LLAMA)))
    expect(limited).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      status: 429,
      retryAfterMs: 60_000,
    })
  })

  it('maps bad input and unknown models to invalid_request with the API’s message as detail', async () => {
    const { provider } = setup()
    const notAnImage = {
      kind: 'classify_image',
      image: { data: btoa('hello'), mediaType: 'image/png' },
    } as const
    const badInput = await providerError(
      provider.generate(providerRequest(notAnImage, '@cf/microsoft/resnet-50')),
    )
    expect(badInput).toMatchObject({ code: 'invalid_request', retryable: false, status: 400 })
    expect(badInput.detail).toContain('5006: Bad input: Error: Image could not be decoded')
    const noModel = await providerError(provider.generate(providerRequest(hello, 'no-such-model')))
    expect(noModel).toMatchObject({ code: 'invalid_request', retryable: false })
    expect(noModel.message).toContain('5007')
  })

  it('maps an image URL that does not load to invalid_request', async () => {
    const { provider } = setup()
    const call = {
      kind: 'classify_image',
      image: { url: `${origin('workersAi')}/__fixtures/missing.png` },
    } as const
    const error = await providerError(provider.generate(providerRequest(call, '@cf/microsoft/resnet-50')))
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false, status: 404 })
  })

  it('maps an unexpected result to retryable bad_response', async () => {
    const { key, provider } = setup()
    await script('workersAi', key, [{ result: { text: 'no response field' } }])
    const error = await providerError(provider.generate(providerRequest(hello, LLAMA)))
    expect(error).toMatchObject({ code: 'bad_response', retryable: true })
  })
})

describe('Workers AI binding errors', () => {
  const signal = new AbortController().signal
  const thrown = (message: string) => Object.assign(new Error(message), { name: 'InferenceUpstreamError' })

  it('reads the internal code the binding puts at the start of its message', () => {
    expect(
      bindingError(thrown('3040: Capacity temporarily exceeded, please try again.'), signal),
    ).toMatchObject({
      code: 'provider_unavailable',
      retryable: true,
      status: 429,
    })
    expect(bindingError(thrown('3036: Account limited'), signal)).toMatchObject({
      code: 'rate_limited',
      retryable: true,
    })
    expect(bindingError(thrown('5016: User has not agreed to Llama3.2 model terms'), signal)).toMatchObject({
      code: 'provider_auth',
      retryable: false,
    })
    expect(bindingError(thrown('5006: Bad input: Error: required properties'), signal)).toMatchObject({
      code: 'invalid_request',
      retryable: false,
    })
  })

  it('falls back on the wording when there is no known code', () => {
    expect(bindingError(thrown('Rate limited'), signal)).toMatchObject({
      code: 'rate_limited',
      retryable: true,
    })
    expect(bindingError(thrown('Something odd'), signal)).toMatchObject({
      code: 'provider_unavailable',
      retryable: true,
    })
  })

  it('treats an abort of the attempt’s signal as a timeout', () => {
    const aborted = AbortSignal.abort()
    expect(bindingError(new DOMException('aborted', 'AbortError'), aborted)).toMatchObject({
      code: 'timeout',
      retryable: true,
    })
  })
})
