import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { tenantCoordinator } from '../../durable-objects/stubs'
import { newId } from '../../shared/ids'
import { generateApiKey } from '../../workers/identity/api-keys'
import { expectOpenAIError, OPENAI } from '../openai/support'
import { call, callJson, createKey, expectErrorEnvelope, putOnPlan, signUp } from '../support/api'

const me = (token: string) => call('/v1/me', { token })

/** Revokes a key the way another isolate would: this isolate's cached copy stays. */
async function revokeElsewhere(tenantId: string, keyId: string) {
  await env.DB.prepare('UPDATE api_keys SET revoked_at = unixepoch() WHERE id = ?').bind(keyId).run()
  await tenantCoordinator(env, tenantId).revokeApiKey(keyId)
}

describe('API keys resolved from the isolate cache', () => {
  it('refuses a key revoked in another isolate on the next request, though it was cached here', async () => {
    const owner = await signUp()
    const { id, key } = await createKey(owner.accessToken)
    expect((await me(key)).status).toBe(200)
    await revokeElsewhere(owner.tenantId, id)
    const body = await callJson('/v1/me', 401, { token: key })
    expectErrorEnvelope(body, 'unauthenticated')
    expect(body.error.message).toBe('The credential is invalid, expired or revoked.')
  })

  it('refuses such a key on /openai/v1 too, in OpenAI’s shape', async () => {
    const owner = await signUp()
    const { id, key } = await createKey(owner.accessToken)
    await callJson(`${OPENAI}/batches`, 200, { token: key })
    await revokeElsewhere(owner.tenantId, id)
    const body = await callJson(`${OPENAI}/batches`, 401, { token: key })
    expectOpenAIError(body, 'authentication_error', 'unauthenticated')
  })

  it('refuses a key revoked through the API at once, and again when revoked twice', async () => {
    const owner = await signUp()
    const { id, key } = await createKey(owner.accessToken)
    expect((await me(key)).status).toBe(200)
    await callJson(`/v1/keys/${id}`, 200, { method: 'DELETE', token: owner.accessToken })
    expect((await me(key)).status).toBe(401)
    const again = await callJson(`/v1/keys/${id}`, 200, { method: 'DELETE', token: owner.accessToken })
    expect(again.revoked_at).toBeGreaterThan(0)
    expect((await me(key)).status).toBe(401)
  })

  it('refuses a cached key once its expiry passes', async () => {
    const owner = await signUp()
    const { key, prefix, hash } = await generateApiKey()
    const expiresAt = Math.floor(Date.now() / 1000) + 2
    await env.DB.prepare(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes, expires_at)
       VALUES (?, ?, 'short-lived', ?, ?, '["read"]', ?)`,
    )
      .bind(newId('key'), owner.tenantId, prefix, hash, expiresAt)
      .run()
    expect((await me(key)).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 50))
    expect((await me(key)).status).toBe(401)
  })

  it('never answers one tenant’s key with another tenant’s principal', async () => {
    const a = await signUp('Tenant A')
    const b = await signUp('Tenant B')
    const keyA = await createKey(a.accessToken, ['read'])
    const keyB = await createKey(b.accessToken, ['read'])
    const calls = Array.from({ length: 6 }, (_, i) => (i % 2 ? keyB : keyA))
    const bodies = await Promise.all(calls.map((k) => callJson('/v1/me', 200, { token: k.key })))
    bodies.forEach((body, i) => {
      const expected = i % 2 ? { tenant: b.tenantId, key: keyB.id } : { tenant: a.tenantId, key: keyA.id }
      expect(body.tenant.id).toBe(expected.tenant)
      expect(body.api_key_id).toBe(expected.key)
    })
  })

  it('keeps the plan a key resolved with for up to the cache TTL', async () => {
    const owner = await signUp()
    const { key } = await createKey(owner.accessToken, ['read'])
    expect((await callJson('/v1/me', 200, { token: key })).tenant.plan).toBe('free')
    await putOnPlan(owner.tenantId, {
      id: 'cache-test',
      tenantRequests: 1000,
      keyRequests: 1000,
      windowSeconds: 60,
      concurrentBatches: 1,
      monthlyTasks: 100,
      concurrentTasks: 5,
    })
    expect((await callJson('/v1/me', 200, { token: key })).tenant.plan).toBe('free')
    const { key: fresh } = await createKey(owner.accessToken, ['read'])
    expect((await callJson('/v1/me', 200, { token: fresh })).tenant.plan).toBe('cache-test')
  })
})

describe('TenantCoordinator.checkRateLimit', () => {
  it('refuses a revoked key without spending the tenant’s or the caller’s tokens', async () => {
    const coordinator = tenantCoordinator(env, newId('ten'))
    const check = (keyId: string) =>
      coordinator.checkRateLimit({
        callerId: keyId,
        keyId,
        tenant: { limit: 10, windowSeconds: 60 },
        caller: { limit: 5, windowSeconds: 60 },
      })
    await coordinator.revokeApiKey('key_revoked')
    expect(await check('key_revoked')).toEqual({ revoked: true })
    expect(await check('key_revoked')).toEqual({ revoked: true })
    const admitted = await check('key_live')
    expect(admitted).toMatchObject({
      allowed: true,
      policies: [
        { name: 'tenant', remaining: 9 },
        { name: 'caller', remaining: 4 },
      ],
    })
  })
})
