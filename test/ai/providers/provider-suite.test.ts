// The contract every provider keeps, run against each one: what a call answers, and the stable code,
// retryability and message each kind of failure becomes. The HTTP providers run against the local
// servers that speak their real protocols; the simulated provider fails through its own settings.
// Each provider's own file tests what is particular to it (request mapping, its special errors).
import { describe, expect, it } from 'vitest'
import type { ModelCall, Provider } from '../../../workers/ai/provider'
import { anthropicProvider } from '../../../workers/ai/providers/anthropic'
import { openaiProvider } from '../../../workers/ai/providers/openai'
import { simulatedProvider } from '../../../workers/ai/providers/simulated'
import type { FailureKind } from '../../../workers/ai/providers/simulated/config'
import { aiOverRest, workersAiProvider } from '../../../workers/ai/providers/workers-ai'
import {
  baseUrl,
  type ProtocolServer,
  type ScriptedResponse,
  script,
  uniqueKey,
} from '../../support/protocol-servers/script'
import { providerError, providerRequest } from './request'

/** A way a call can fail, and what every provider must make of it. */
const FAULTS = {
  rateLimited: { code: 'rate_limited', retryable: true },
  unavailable: { code: 'provider_unavailable', retryable: true },
  disconnect: { code: 'provider_unavailable', retryable: true },
  timeout: { code: 'timeout', retryable: true },
  badResponse: { code: 'bad_response', retryable: true },
} as const
type Fault = keyof typeof FAULTS

type Subject = {
  name: string
  model: string
  embedModel?: string
  /** A provider whose next call fails with `fault` (no fault: answers normally). */
  failing(fault?: Fault): Promise<Provider>
  /** A provider with a key the service rejects; none for a provider without keys. */
  rejectedKey?: () => Provider
  /** The delay a rate-limited answer asks for. */
  retryAfterMs: number
  faults: readonly Fault[]
}

/** What a protocol server is scripted with for each fault. */
function httpSubject(options: {
  name: string
  server: ProtocolServer
  model: string
  embedModel?: string
  make: (key: string) => Provider
  rateLimited: ScriptedResponse
}): Subject {
  const steps: Record<Fault, ScriptedResponse> = {
    rateLimited: options.rateLimited,
    unavailable: { status: 500 },
    disconnect: { disconnect: true },
    timeout: { delayMs: 3000 },
    badResponse: { body: '<html>not an answer</html>' },
  }
  return {
    name: options.name,
    model: options.model,
    embedModel: options.embedModel,
    async failing(fault) {
      const key = uniqueKey(options.name)
      if (fault) await script(options.server, key, [steps[fault]])
      return options.make(key)
    },
    rejectedKey: () => options.make(uniqueKey('bad')),
    retryAfterMs: 2000,
    faults: Object.keys(FAULTS) as Fault[],
  }
}

const SIMULATED_FAULT: Partial<Record<Fault, FailureKind>> = {
  rateLimited: '429',
  unavailable: '500',
  timeout: 'timeout',
}

const SUBJECTS: Subject[] = [
  httpSubject({
    name: 'openai',
    server: 'openai',
    model: 'gpt-4o-mini',
    embedModel: 'text-embedding-3-small',
    make: (key) => openaiProvider({ baseUrl: baseUrl('openai'), apiKey: key }),
    rateLimited: { status: 429, headers: { 'retry-after': '2' } },
  }),
  httpSubject({
    name: 'anthropic',
    server: 'anthropic',
    model: 'claude-sonnet-4-5',
    make: (key) => anthropicProvider({ baseUrl: baseUrl('anthropic'), apiKey: key }),
    rateLimited: { status: 429, headers: { 'retry-after': '2' } },
  }),
  httpSubject({
    name: 'workers-ai',
    server: 'workersAi',
    model: '@cf/meta/llama-3.1-8b-instruct',
    embedModel: '@cf/baai/bge-base-en-v1.5',
    make: (key) =>
      workersAiProvider({
        ai: aiOverRest({ baseUrl: baseUrl('workersAi'), accountId: 'acc0123', apiToken: key }),
      }),
    // A plain 429 from Workers AI is "out of capacity" (3040); an account limit says 3036.
    rateLimited: {
      status: 429,
      errorCode: 3036,
      message: 'AiError: Account limited',
      headers: { 'retry-after': '2' },
    },
  }),
  {
    name: 'simulated',
    model: 'simulated-model',
    embedModel: 'simulated-embed',
    async failing(fault) {
      const kind = fault && SIMULATED_FAULT[fault]
      return simulatedProvider({ latencyMs: 0, failures: kind ? [{ kind, rate: 1 }] : [] })
    },
    retryAfterMs: 1000,
    faults: Object.keys(SIMULATED_FAULT) as Fault[],
  },
]

const hello: ModelCall = {
  kind: 'chat',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Say hello.' },
  ],
}
const titleSchema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }
const helloJson = { ...hello, json: { name: 'product_title', schema: titleSchema } } as ModelCall
const ALL_KINDS: ModelCall[] = [
  hello,
  { kind: 'embed', texts: ['x'] },
  { kind: 'classify_text', text: 'x' },
  { kind: 'classify_image', image: { url: 'https://cdn.example.com/x.png' } },
  { kind: 'detect_objects', image: { url: 'https://cdn.example.com/x.png' } },
]

/** The simulated provider answers what the task's simulation gives it, as the router passes it on. */
function request(call: ModelCall, model: string, signal?: AbortSignal) {
  return {
    ...providerRequest(call, model, signal),
    simulate: () =>
      call.kind === 'embed'
        ? { kind: 'vectors' as const, vectors: call.texts.map(() => [0.1, 0.2, 0.3]) }
        : { kind: 'text' as const, text: call.kind === 'chat' && call.json ? '{"title":"Boots"}' : 'Hello.' },
  }
}

describe.each(SUBJECTS)('provider contract: $name', (subject) => {
  it('answers a chat call with text, token usage, its own slug and the model', async () => {
    const provider = await subject.failing()
    const result = await provider.generate(request(hello, subject.model))
    expect(result.provider).toBe(subject.name)
    expect(result.model).toEqual(expect.any(String))
    expect(result.output.kind).toBe('text')
    expect(result.output.kind === 'text' && result.output.text.length).toBeGreaterThan(0)
    expect(result.usage.input_tokens).toBeGreaterThan(0)
    expect(result.usage.output_tokens).toBeGreaterThanOrEqual(0)
  })

  it('answers a JSON call with text that parses as the requested object', async () => {
    const provider = await subject.failing()
    const result = await provider.generate(request(helloJson, subject.model))
    const text = result.output.kind === 'text' ? result.output.text : ''
    expect(JSON.parse(text)).toEqual({ title: expect.any(String) })
  })

  it.runIf(subject.embedModel)('embeds texts into one vector each, of one length', async () => {
    const provider = await subject.failing()
    const texts = ['red shoes', 'blue hat']
    const result = await provider.generate(request({ kind: 'embed', texts }, subject.embedModel!))
    const vectors = result.output.kind === 'vectors' ? result.output.vectors : []
    expect(vectors).toHaveLength(2)
    expect(vectors[0]!.length).toBeGreaterThan(0)
    expect(vectors[1]).toHaveLength(vectors[0]!.length)
  })

  it('refuses the call kinds it does not list, as unsupported and not retryable', async () => {
    const provider = await subject.failing()
    for (const call of ALL_KINDS.filter((call) => !provider.supports.includes(call.kind))) {
      const error = await providerError(provider.generate(request(call, subject.model)))
      expect(error, call.kind).toMatchObject({ code: 'unsupported', retryable: false })
    }
  })

  it.each(subject.faults)('turns a %s failure into its stable code and our own message', async (fault) => {
    const provider = await subject.failing(fault)
    const signal = AbortSignal.timeout(fault === 'timeout' ? 150 : 10_000)
    const error = await providerError(provider.generate(request(hello, subject.model, signal)))
    expect(error).toMatchObject(FAULTS[fault])
    if (fault === 'rateLimited') expect(error.retryAfterMs).toBe(subject.retryAfterMs)
    expect(error.message).not.toContain('<html>')
  })

  it.runIf(subject.rejectedKey)('turns a rejected key into provider_auth, not retryable', async () => {
    const error = await providerError(subject.rejectedKey!().generate(request(hello, subject.model)))
    expect(error).toMatchObject({ code: 'provider_auth', retryable: false, status: 401 })
  })
})
