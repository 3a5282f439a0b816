import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { newId } from '../../shared/ids'
import { gcra } from '../../shared/rate-limit/gcra'
import { generateApiKey } from '../../workers/identity/api-keys'
import { call, expectErrorEnvelope, putOnPlan, signUp } from '../support/api'

/** A tenant on a plan small enough to exhaust in a test: 5 per tenant, 3 per key, per second. */
async function tenantOnTinyPlan() {
  const owner = await signUp()
  await putOnPlan(owner.tenantId, {
    id: 'tiny',
    tenantRequests: 5,
    keyRequests: 3,
    windowSeconds: 1,
    concurrentBatches: 1,
    monthlyTasks: 100,
    concurrentTasks: 5,
  })
  // Keys go straight into D1, so making them spends none of the tenant's requests.
  const keys = [await generateApiKey(), await generateApiKey()]
  for (const key of keys) {
    await env.DB.prepare(
      `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, scopes) VALUES (?, ?, 'k', ?, ?, '["read"]')`,
    )
      .bind(newId('key'), owner.tenantId, key.prefix, key.hash)
      .run()
  }
  return keys.map((k) => k.key)
}

describe('rate limiting', () => {
  it('puts RateLimit and RateLimit-Policy on allowed responses', async () => {
    const owner = await signUp()
    const res = await call('/v1/me', { token: owner.accessToken })
    expect(res.status).toBe(200)
    expect(res.headers.get('RateLimit-Policy')).toBe('"tenant";q=300;w=60, "caller";q=120;w=60')
    expect(res.headers.get('RateLimit')).toMatch(/^"caller";r=119;t=\d+$/)
  })

  it('answers 429 with Retry-After once the key’s limit is passed, and admits again after the window', async () => {
    const [key] = await tenantOnTinyPlan()
    for (let i = 0; i < 3; i++) expect((await call('/v1/me', { token: key })).status).toBe(200)
    const limited = await call('/v1/me', { token: key })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBe('1')
    expect(limited.headers.get('RateLimit-Policy')).toBe('"tenant";q=5;w=1, "caller";q=3;w=1')
    expect(limited.headers.get('RateLimit')).toMatch(/^"caller";r=0;t=1$/)
    expectErrorEnvelope(await limited.json(), 'rate_limited')

    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect((await call('/v1/me', { token: key })).status).toBe(200)
  })

  it('caps all keys of a tenant together at the tenant limit', async () => {
    const [first, second] = await tenantOnTinyPlan()
    for (let i = 0; i < 3; i++) expect((await call('/v1/me', { token: first })).status).toBe(200)
    expect((await call('/v1/me', { token: second })).status).toBe(200)
    expect((await call('/v1/me', { token: second })).status).toBe(200)
    const limited = await call('/v1/me', { token: second })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('RateLimit')).toMatch(/^"tenant";r=0;/)
  })

  it('admits exactly the limit when requests arrive at once', async () => {
    const [key] = await tenantOnTinyPlan()
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => call('/v1/me', { token: key }).then((r) => r.status)),
    )
    expect(statuses.filter((s) => s === 200)).toHaveLength(3)
    expect(statuses.filter((s) => s === 429)).toHaveLength(7)
  })
})

describe('gcra', () => {
  it('admits a full burst, then one request per interval', () => {
    let tat: number | undefined
    const now = 1_000_000
    for (let i = 0; i < 4; i++) {
      const decision = gcra(tat, now, 4, 1000)
      expect(decision).toMatchObject({ allowed: true, remaining: 3 - i })
      tat = decision.nextTat
    }
    expect(gcra(tat, now, 4, 1000)).toMatchObject({
      allowed: false,
      retryAfterMs: 250,
      remaining: 0,
      available: 0,
    })
    expect(gcra(tat, now + 250, 4, 1000)).toMatchObject({ allowed: true, remaining: 0 })
    expect(gcra(tat, now + 1000, 4, 1000)).toMatchObject({ allowed: true, remaining: 3 })
  })
})
