// A tenant who deletes (or replaces) a provider key expects no further calls with it: every chunk
// reads the tenant's keys as they are when it runs. A batch made to use the tenant's key never
// switches to the platform's key for that provider; the router goes on to the next target.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { findTask } from '../../shared/tasks'
import { resolveRunSettings } from '../../workers/ai/run-settings'
import { setRoute, useProviderKey } from '../support/ai'
import { callJson, signUp } from '../support/api'
import { deliverChunk, dispatchedChunks, readResults, startDrivenBatch } from '../support/coordinator'
import { baseUrl, receivedRequests, uniqueKey } from '../support/protocol-servers/script'

const seoMeta = findTask('seo_meta')!

async function deleteKey(token: string) {
  await callJson('/v1/provider-keys/openai', 204, { method: 'DELETE', token })
}

/** Bearer tokens the openai protocol server saw for `key`. */
async function sentWith(key: string) {
  return (await receivedRequests('openai', key)).map((request) => request.headers.authorization)
}

describe('a tenant provider key deleted or replaced while a batch runs', () => {
  it('is not used by later chunks, nor replaced by the platform key; a new key is used', async () => {
    const owner = await signUp()
    const leaked = uniqueKey('leaked')
    await useProviderKey(owner.accessToken, 'openai', leaked)
    const settings = await resolveRunSettings(env, owner.tenantId, {
      task: seoMeta,
      model: 'openai:gpt-4o-mini',
      cache: false,
    })
    const batch = await startDrivenBatch(100, { tenantId: owner.tenantId, settings })
    const { stub, tenantId, batchId, routed } = batch
    // The platform has an OpenAI key of its own; a batch made with the tenant's must not use it.
    const platformKey = uniqueKey('platform')
    const platform = { OPENAI_API_KEY: platformKey, OPENAI_BASE_URL: baseUrl('openai') }
    // The window holds one chunk at a time here: each report opens the next.
    const delivered = new Set<number>()
    const deliverNext = async () => {
      const chunk = (await dispatchedChunks(stub)).find((ref) => !delivered.has(ref.chunkId))
      expect(chunk).toBeDefined()
      delivered.add(chunk!.chunkId)
      await deliverChunk(routed, { tenantId, batchId, ...chunk! }, 1, platform)
    }
    await deliverNext()
    const before = await sentWith(leaked)
    expect(before.length).toBeGreaterThan(0)
    expect(new Set(before)).toEqual(new Set([`Bearer ${leaked}`]))

    await deleteKey(owner.accessToken)
    await deliverNext()
    expect(await sentWith(leaked)).toHaveLength(before.length)
    expect(await sentWith(platformKey)).toEqual([])
    const failed = await readResults(batch, { afterSeq: 0, limit: 100, failedOnly: true })
    expect(failed.lines.length).toBeGreaterThan(0)
    for (const line of failed.lines) expect(JSON.parse(line).error.code).toBe('provider_key_deleted')

    const rotated = uniqueKey('rotated')
    await useProviderKey(owner.accessToken, 'openai', rotated)
    await deliverNext()
    expect((await sentWith(rotated)).length).toBeGreaterThan(0)
    expect(await sentWith(leaked)).toHaveLength(before.length)
    expect(await sentWith(platformKey)).toEqual([])
    const summary = await stub.summary()
    expect(summary.failed).toBe(failed.lines.length)
    expect(summary.completed).toBeGreaterThan(0)
  })

  it('falls through to the route’s next target once the key is gone', async () => {
    const owner = await signUp()
    const leaked = uniqueKey('leaked-fallback')
    await useProviderKey(owner.accessToken, 'openai', leaked)
    await setRoute(owner.accessToken, 'seo_meta', [
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'simulated', model: 'simulated-1' },
    ])
    const settings = await resolveRunSettings(env, owner.tenantId, { task: seoMeta, cache: false })
    const batch = await startDrivenBatch(20, { tenantId: owner.tenantId, settings })
    const [first] = await dispatchedChunks(batch.stub)
    await deleteKey(owner.accessToken)
    await deliverChunk(batch.routed, { ...batch, ...first! })
    expect(await sentWith(leaked)).toEqual([])
    const page = await readResults(batch, { afterSeq: 0, limit: 100 })
    expect(page.lines.length).toBeGreaterThan(0)
    for (const line of page.lines) expect(JSON.parse(line)).toMatchObject({ status: 'succeeded' })
  })
})
