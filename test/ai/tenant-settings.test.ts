import { describe, expect, it } from 'vitest'
import { seoAnswer, setRoute, useProviderKey } from '../support/ai'
import { call, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createBatch, resultLines, waitForStatus } from '../support/batches'
import { receivedRequests, script, uniqueKey } from '../support/protocol-servers/script'

describe('brand voice, templates and tenant provider keys', () => {
  it('carries the brand voice in every prompt and flags words the brand avoids', async () => {
    const owner = await signUp()
    await callJson('/v1/brand', 200, {
      method: 'PUT',
      token: owner.accessToken,
      json: { voice: 'playful and bold', language: 'British English', avoid_words: ['cheap'] },
    })
    const key = uniqueKey('brand')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    await script(
      'openai',
      key,
      [1, 2, 3].map(() => ({ content: seoAnswer('Cheap boots', 'Boots that are CHEAP.') })),
    )

    const result = await callJson('/v1/generate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input: { title: 'Boots' } },
    })
    expect(result.status).toBe('needs_review')
    expect(result.violations).toContain('uses "cheap", which the brand avoids')
    const [first] = await receivedRequests('openai', key)
    const system = (first!.body as { messages: { role: string; content: string }[] }).messages[0]!
    expect(system.role).toBe('system')
    expect(system.content).toContain('Brand voice: playful and bold.')
    expect(system.content).toContain('Never use these words: cheap.')
  })

  it('versions templates and fills their variables from each row’s columns', async () => {
    const owner = await signUp()
    const save = (body: string) =>
      callJson('/v1/templates', 201, {
        method: 'POST',
        token: owner.accessToken,
        json: { name: 'launch', task: 'product_description', body },
      })
    expect(await save('Announce {{title}}.')).toMatchObject({ version: 1, variables: ['title'] })
    expect(await save('Announce {{title}} in {{material}}.')).toMatchObject({
      version: 2,
      variables: ['title', 'material'],
    })
    const versions = await callJson('/v1/templates/launch/versions', 200, { token: owner.accessToken })
    expect(versions.data.map((template: { version: number }) => template.version)).toEqual([2, 1])

    const key = uniqueKey('template')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'product_description', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    const created = await createBatch(owner.accessToken, {
      task: 'product_description',
      template: 'launch',
      items: [{ custom_id: 'w1', input: { title: 'Wool socks', material: 'merino' } }],
    })
    expect(created.template).toBe('launch@2')
    const done = await waitForStatus(owner.accessToken, created.id)
    expect(done.request_counts.completed).toBe(1)
    const [request] = await receivedRequests('openai', key)
    const messages = (request!.body as { messages: { role: string; content: string }[] }).messages
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Announce Wool socks in merino.' })
    expect((await resultLines(owner.accessToken, created.id))[0].status).toBe('succeeded')
  })

  it('refuses a batch whose template names a column the input lacks, before anything runs', async () => {
    const owner = await signUp()
    await callJson('/v1/templates', 201, {
      method: 'POST',
      token: owner.accessToken,
      json: { name: 'promo', task: 'product_description', body: 'Sell {{title}} with {{discount}} off.' },
    })
    const body = await callJson('/v1/batches', 400, {
      method: 'POST',
      token: owner.accessToken,
      json: {
        task: 'product_description',
        template: 'promo@1',
        items: [{ custom_id: 'a', input: { title: 'Hat' } }],
      },
    })
    expectErrorEnvelope(body, 'unknown_template_variables')
    expect(body.error.message).toContain('{{discount}}')
    const list = await callJson('/v1/batches', 200, { token: owner.accessToken })
    expect(list.data).toHaveLength(0)
  })

  it('never returns a tenant’s provider key from any endpoint', async () => {
    const owner = await signUp()
    const secret = `sk-tenant-${crypto.randomUUID()}`
    const stored = await callJson('/v1/provider-keys/openai', 200, {
      method: 'PUT',
      token: owner.accessToken,
      json: { api_key: secret, base_url: 'https://api.groq.com/openai/v1' },
    })
    expect(stored).toEqual({
      provider: 'openai',
      base_url: 'https://api.groq.com/openai/v1',
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    })
    for (const path of ['/v1/provider-keys', '/v1/routes', '/v1/audit-log', '/v1/tenant', '/v1/me']) {
      const text = await (await call(path, { token: owner.accessToken })).text()
      expect(text, path).not.toContain(secret)
      expect(text, path).not.toContain(secret.slice(10))
    }
    const routes = await callJson('/v1/routes', 200, { token: owner.accessToken })
    expect(routes.data.find((route: { task: string }) => route.task === 'seo_meta').targets[0].provider).toBe(
      'openai',
    )
  })

  it('refuses a provider base URL on a private network', async () => {
    const owner = await signUp()
    const body = await callJson('/v1/provider-keys/openai', 400, {
      method: 'PUT',
      token: owner.accessToken,
      json: { api_key: 'sk-x', base_url: 'http://169.254.169.254/v1' },
    })
    expectErrorEnvelope(body, 'provider_url_refused')
  })

  it('estimates a batch’s tokens and cost without running it, and previews its first rows', async () => {
    const owner = await signUp()
    const items = Array.from({ length: 50 }, (_, i) => ({
      custom_id: `r${i}`,
      input: { title: `Lamp ${i}` },
    }))
    const estimate = await callJson('/v1/estimate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', items },
    })
    expect(estimate).toMatchObject({ tasks: 50, provider: 'simulated', basis: 'all_rows', priced: true })
    expect(estimate.input_tokens).toBeGreaterThan(50 * 20)
    expect(estimate.cost_usd).toBeGreaterThan(0)

    const preview = await callJson('/v1/batches/preview', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', items, rows: 3 },
    })
    expect(preview.rows.map((row: { custom_id: string }) => row.custom_id)).toEqual(['r0', 'r1', 'r2'])
    expect(preview.rows[0]).toMatchObject({
      status: 'succeeded',
      output: { title: expect.stringContaining('Lamp 0') },
    })
    expect(preview.cost_usd).toBeGreaterThan(0)
    expect((await callJson('/v1/batches', 200, { token: owner.accessToken })).data).toHaveLength(0)
  })
})
