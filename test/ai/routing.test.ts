import { describe, expect, it } from 'vitest'
import { seoAnswer, setRoute, useProviderKey } from '../support/ai'
import { callJson, signUp } from '../support/api'
import { receivedRequests, script, uniqueKey } from '../support/protocol-servers/script'

describe('the AI router through POST /v1/generate', () => {
  it('retries a 429 after its retry-after and then succeeds on the same target', async () => {
    const owner = await signUp()
    const key = uniqueKey('router-429')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    await script('openai', key, [
      { status: 429, headers: { 'retry-after': '1' } },
      { content: seoAnswer('Trail shoes'), usage: { input_tokens: 120, output_tokens: 30 } },
    ])

    const started = Date.now()
    const result = await callJson('/v1/generate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input: { title: 'Trail shoes' } },
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(result).toMatchObject({
      status: 'succeeded',
      provider: 'openai',
      model: 'gpt-4o-mini',
      output: { title: 'Trail shoes' },
      usage: { input_tokens: 120, output_tokens: 30 },
    })
    // gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens.
    expect(result.cost_usd).toBeCloseTo((120 * 0.15 + 30 * 0.6) / 1e6, 12)
    expect(await receivedRequests('openai', key)).toHaveLength(2)
  })

  it('falls back to the next target when the first keeps answering 500', async () => {
    const owner = await signUp()
    const openaiKey = uniqueKey('router-500')
    const anthropicKey = uniqueKey('router-fallback')
    await useProviderKey(owner.accessToken, 'openai', openaiKey)
    await useProviderKey(owner.accessToken, 'anthropic', anthropicKey)
    await setRoute(owner.accessToken, 'seo_meta', [
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'anthropic', model: 'claude-3-5-haiku-latest' },
    ])
    await script('openai', openaiKey, [{ status: 500 }, { status: 500 }])
    await script('anthropic', anthropicKey, [
      { toolInput: { title: 'Rain jacket', description: 'Dry in any weather.' } },
    ])

    const result = await callJson('/v1/generate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input: { title: 'Rain jacket' } },
    })
    expect(result).toMatchObject({
      status: 'succeeded',
      provider: 'anthropic',
      output: { title: 'Rain jacket', description: 'Dry in any weather.' },
    })
    expect(await receivedRequests('openai', openaiKey)).toHaveLength(2)
    const [toAnthropic] = await receivedRequests('anthropic', anthropicKey)
    expect(toAnthropic!.headers['x-api-key']).toBe(anthropicKey)
  })

  it('answers 503 with Retry-After when every target fails transiently', async () => {
    const owner = await signUp()
    const key = uniqueKey('router-down')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    await script('openai', key, [{ status: 503 }, { status: 503 }])
    const body = await callJson('/v1/generate', 503, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input: { title: 'Boots' } },
    })
    expect(body.error.code).toBe('provider_unavailable')
  })

  it('regenerates an output that breaks a limit, then keeps it as needs_review naming the violation', async () => {
    const owner = await signUp()
    const key = uniqueKey('too-long')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    const longTitle = 'An extraordinarily long title that goes well past the sixty character limit'
    await script(
      'openai',
      key,
      [1, 2, 3].map(() => ({ content: seoAnswer(longTitle) })),
    )

    const result = await callJson('/v1/generate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input: { title: 'Boots' } },
    })
    expect(result.status).toBe('needs_review')
    expect(result.output.title).toBe(longTitle)
    expect(result.violations.join(' ')).toMatch(/title.*60/i)
    const requests = await receivedRequests('openai', key)
    expect(requests).toHaveLength(3)
    const retryMessages = (requests[1]!.body as { messages: { role: string; content: string }[] }).messages
    expect(retryMessages.at(-2)).toMatchObject({ role: 'assistant', content: seoAnswer(longTitle) })
    expect(retryMessages.at(-1)!.content).toMatch(/breaks these rules/)
  })

  it('accepts a regenerated answer that fits', async () => {
    const owner = await signUp()
    const key = uniqueKey('fits-second')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    await script('openai', key, [
      { content: seoAnswer('x'.repeat(61)) },
      { content: seoAnswer('Boots for every trail') },
    ])
    const result = await callJson('/v1/generate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input: { title: 'Boots' } },
    })
    expect(result).toMatchObject({ status: 'succeeded', output: { title: 'Boots for every trail' } })
  })
})
