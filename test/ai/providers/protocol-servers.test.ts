// The protocol servers themselves: they reject what the real APIs reject, in the real error shapes.
import { describe, expect, it } from 'vitest'
import { baseUrl, receivedRequests, script, uniqueKey } from '../../support/protocol-servers/script'

const post = (url: string, headers: Record<string, string>, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

describe('protocol servers', () => {
  it('OpenAI: answers 400 in OpenAI’s error shape when messages are missing', async () => {
    const res = await post(
      `${baseUrl('openai')}/chat/completions`,
      { authorization: `Bearer ${uniqueKey()}` },
      { model: 'm' },
    )
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: {
        message: "Missing required parameter: 'messages'.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'missing_required_parameter',
      },
    })
  })

  it('Anthropic: rejects a system role message and a missing version header', async () => {
    const key = uniqueKey()
    const body = { model: 'm', max_tokens: 10, messages: [{ role: 'system', content: 'x' }] }
    const noVersion = await post(`${baseUrl('anthropic')}/v1/messages`, { 'x-api-key': key }, body)
    expect(noVersion.status).toBe(400)
    expect(await noVersion.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    })
    const systemRole = await post(
      `${baseUrl('anthropic')}/v1/messages`,
      { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body,
    )
    expect(systemRole.status).toBe(400)
    expect(((await systemRole.json()) as { error: { message: string } }).error.message).toContain(
      'Unexpected role "system"',
    )
  })

  it('Workers AI: wraps results and errors in Cloudflare’s envelope', async () => {
    const url = `${baseUrl('workersAi')}/accounts/acc/ai/run/@cf/huggingface/distilbert-sst-2-int8`
    const headers = { authorization: `Bearer ${uniqueKey()}` }
    const ok = await post(url, headers, { text: 'great' })
    expect(await ok.json()).toMatchObject({
      success: true,
      errors: [],
      messages: [],
      result: expect.any(Array),
    })
    const bad = await post(url, headers, { prompt: 'great' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ success: false, result: null, errors: [{ code: 5006 }] })
  })

  it('scripts answers by model name when a request carries no key', async () => {
    const model = uniqueKey('model')
    await script('openai', model, [{ status: 503 }])
    const url = `${new URL(baseUrl('openai')).origin}/open/v1/chat/completions`
    const body = { model, messages: [{ role: 'user', content: 'hi' }] }
    expect((await post(url, {}, body)).status).toBe(503)
    expect((await post(url, {}, body)).status).toBe(200)
    expect(await receivedRequests('openai', model)).toHaveLength(2)
  })
})
