// What callers see of a provider's failure: our stable code and a short message of our own. The
// provider's own words (error bodies, refusals) go to one JSON log line, with the key redacted.
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import type { ModelCall } from '../../workers/ai/provider'
import { anthropicProvider } from '../../workers/ai/providers/anthropic'
import { openaiProvider } from '../../workers/ai/providers/openai'
import { aiOverRest, workersAiProvider } from '../../workers/ai/providers/workers-ai'
import { OPENAI } from '../openai/support'
import { setRoute, useProviderKey } from '../support/ai'
import { call, createKey, signUp } from '../support/api'
import { createBatch, waitForStatus } from '../support/batches'
import { baseUrl, script, uniqueKey } from '../support/protocol-servers/script'
import { providerError, providerRequest } from './providers/request'

const CANARY = 'CANARY-7f3a-internal-trace-id'

const hello: ModelCall = { kind: 'chat', messages: [{ role: 'user', content: 'Say hello.' }] }

function providerCases() {
  const openaiKey = uniqueKey('leak-openai')
  const anthropicKey = uniqueKey('leak-anthropic')
  const cloudflareToken = uniqueKey('leak-cf')
  return [
    {
      name: 'openai',
      server: 'openai' as const,
      key: openaiKey,
      model: 'gpt-4o-mini',
      provider: openaiProvider({ baseUrl: baseUrl('openai'), apiKey: openaiKey }),
    },
    {
      name: 'anthropic',
      server: 'anthropic' as const,
      key: anthropicKey,
      model: 'claude-sonnet-4-5',
      provider: anthropicProvider({ baseUrl: baseUrl('anthropic'), apiKey: anthropicKey }),
    },
    {
      name: 'workers-ai',
      server: 'workersAi' as const,
      key: cloudflareToken,
      model: '@cf/meta/llama-3.1-8b-instruct',
      provider: workersAiProvider({
        ai: aiOverRest({ baseUrl: baseUrl('workersAi'), accountId: 'acc0123', apiToken: cloudflareToken }),
      }),
    },
  ]
}

describe('provider errors as callers see them', () => {
  it('names our code, never the provider’s error body, and logs that body without the key', async () => {
    const logged: string[] = []
    const warn = vi
      .spyOn(console, 'warn')
      .mockImplementation((line: unknown) => void logged.push(String(line)))
    onTestFinished(() => warn.mockRestore())
    for (const { name, server, key, model, provider } of providerCases()) {
      await script(server, key, [
        { status: 400, message: `${CANARY} (key ${key})` },
        { status: 503, body: `<html>${CANARY}</html>` },
        { status: 429, message: CANARY },
      ])
      const invalid = await providerError(provider.generate(providerRequest(hello, model)))
      expect(invalid).toMatchObject({ code: 'invalid_request', status: 400 })
      expect(invalid.message).toMatch(/answered 400 \(invalid_request/)
      const down = await providerError(provider.generate(providerRequest(hello, model)))
      expect(down).toMatchObject({ code: 'provider_unavailable', retryable: true })
      const limited = await providerError(provider.generate(providerRequest(hello, model)))
      expect(limited).toMatchObject({ retryable: true, status: 429 })
      for (const error of [invalid, down, limited]) {
        expect(error.message, name).not.toContain(CANARY)
        expect(error.detail, name).toContain(CANARY)
      }
      const lines = logged.filter((line) => line.includes(CANARY) && line.includes(`"provider":"${name}"`))
      expect(lines.length, name).toBeGreaterThanOrEqual(3)
      for (const line of lines) {
        expect(JSON.parse(line)).toMatchObject({ level: 'warn', event: 'provider.error', provider: name })
        expect(line, name).not.toContain(key)
      }
    }
  })

  it('keeps the body out of /v1/generate answers, for failed and unavailable calls', async () => {
    const owner = await signUp()
    const key = uniqueKey('leak-generate')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    await script('openai', key, [
      { status: 400, message: CANARY },
      { status: 503, message: CANARY },
      { status: 503, message: CANARY },
    ])
    const generate = () =>
      call('/v1/generate', {
        method: 'POST',
        token: owner.accessToken,
        json: { task: 'seo_meta', input: { title: 'Boots' } },
      })
    const failed = await generate()
    const failedText = await failed.text()
    expect(failed.status).toBe(502)
    expect(JSON.parse(failedText).error.message).toBe('openai answered 400 (invalid_request).')
    expect(failedText).not.toContain(CANARY)
    const unavailable = await generate()
    expect(unavailable.status).toBe(503)
    expect(await unavailable.text()).not.toContain(CANARY)
  })

  it('keeps the body out of /openai/v1/chat/completions answers', async () => {
    const owner = await signUp()
    const providerKey = uniqueKey('leak-chat')
    await useProviderKey(owner.accessToken, 'openai', providerKey)
    const { key } = await createKey(owner.accessToken, ['read', 'write'])
    await script('openai', providerKey, [{ status: 400, message: CANARY }])
    const res = await call(`${OPENAI}/chat/completions`, {
      method: 'POST',
      token: key,
      json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
    })
    const text = await res.text()
    expect(res.status).toBe(400)
    expect(JSON.parse(text).error).toMatchObject({
      code: 'invalid_request',
      message: 'openai answered 400 (invalid_request).',
    })
    expect(text).not.toContain(CANARY)
  })

  it('keeps the body out of a batch’s results, CSV and errors listing', async () => {
    const owner = await signUp()
    const key = uniqueKey('leak-batch')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    await script('openai', key, [
      { status: 400, message: CANARY },
      { status: 401, message: CANARY },
      { status: 404, body: CANARY },
    ])
    const batch = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      items: ['a', 'b', 'c'].map((id) => ({ custom_id: id, input: { title: `Product ${id}` } })),
    })
    const done = await waitForStatus(owner.accessToken, batch.id, ['completed', 'failed'])
    expect(done.request_counts.failed).toBe(3)
    // A batch none of whose tasks succeeded is not `completed`: it fails, saying why.
    expect(done).toMatchObject({
      status: 'failed',
      error: {
        code: 'all_tasks_failed',
        message: "All 3 tasks failed; see the batch errors for each task's reason.",
      },
    })
    const outputs = await Promise.all(
      [
        `/v1/batches/${batch.id}/results`,
        `/v1/batches/${batch.id}/results?format=csv`,
        `/v1/batches/${batch.id}/errors`,
      ].map(async (path) => (await call(path, { token: owner.accessToken })).text()),
    )
    for (const text of outputs) {
      expect(text).toContain('openai answered 4')
      expect(text).not.toContain(CANARY)
    }
  })
})
