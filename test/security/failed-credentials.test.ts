import { env } from 'cloudflare:workers'
import { generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { generateApiKey } from '../../workers/identity/api-keys'
import { THROTTLE_LIMITS } from '../../workers/security/throttle'
import { expectOpenAIError, OPENAI } from '../openai/support'
import { call, createKey, expectErrorEnvelope, signUp, uniqueIp } from '../support/api'

const BUDGET = THROTTLE_LIMITS.failedCredentialsPerIp.limit

const me = (token: string, ip: string) => call('/v1/me', { token, headers: { 'CF-Connecting-IP': ip } })
const randomKey = async () => (await generateApiKey()).key

/**
 * Runs `body` with the api_keys table renamed away: any API-key lookup in D1 then fails with a
 * 500, so a 401 or 429 proves the answer came without one.
 */
async function withoutApiKeysTable(body: () => Promise<void>) {
  await env.DB.prepare('ALTER TABLE api_keys RENAME TO api_keys_hidden').run()
  try {
    await body()
  } finally {
    await env.DB.prepare('ALTER TABLE api_keys_hidden RENAME TO api_keys').run()
  }
}

async function spendBudget(ip: string) {
  const statuses = new Set<number>()
  for (let i = 0; i < BUDGET; i++) statuses.add((await me(await randomKey(), ip)).status)
  expect([...statuses]).toEqual([401])
}

async function expectThrottled(res: Response) {
  const body = await res.json()
  expect(res.status, JSON.stringify(body)).toBe(429)
  expectErrorEnvelope(body, 'rate_limited')
  expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0)
}

const foreignKeys = await generateKeyPair('ES256')

/** Ours signed with the wrong secret, or an OIDC-shaped token from an issuer no tenant trusts. */
function forgedToken(issuer: string) {
  const jwt = new SignJWT({ tid: 'ten_x', email: 'x@example.com' })
    .setSubject('usr_x')
    .setIssuer(issuer)
    .setAudience(env.JWT_AUDIENCE)
    .setExpirationTime('5m')
  return issuer === env.JWT_ISSUER
    ? jwt.setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('not-our-secret'.repeat(4)))
    : jwt.setProtectedHeader({ alg: 'ES256' }).sign(foreignKeys.privateKey)
}

describe('failed credentials per client address', () => {
  it('answers random API keys 429 once the address spent its budget, without a D1 read', async () => {
    const ip = uniqueIp()
    await spendBudget(ip)
    await withoutApiKeysTable(async () => {
      for (let i = 0; i < 5; i++) await expectThrottled(await me(await randomKey(), ip))
      const openai = await call(`${OPENAI}/batches`, {
        token: await randomKey(),
        headers: { 'CF-Connecting-IP': ip },
      })
      expect(openai.status).toBe(429)
      expectOpenAIError(await openai.json(), 'rate_limit_error', 'rate_limited')
      // The control: from an address with budget left, the lookup runs and hits the missing table.
      expect((await me(await randomKey(), uniqueIp())).status).toBe(500)
    })
  })

  it('keeps a valid cached key working, from the flooded address too, with no lookup or budget', async () => {
    const owner = await signUp()
    const { id, key } = await createKey(owner.accessToken)
    expect((await me(key, uniqueIp())).status).toBe(200)
    // Let the first use's last_used_at write land before the table goes away.
    await expect
      .poll(async () =>
        env.DB.prepare('SELECT last_used_at FROM api_keys WHERE id = ?').bind(id).first('last_used_at'),
      )
      .not.toBeNull()

    const flooded = uniqueIp()
    await spendBudget(flooded)
    await expectThrottled(await me(await randomKey(), flooded))
    await withoutApiKeysTable(async () => {
      expect((await me(key, uniqueIp())).status).toBe(200)
      expect((await me(key, flooded)).status).toBe(200)
    })
  })

  it('remembers an unknown key: repeating it costs neither budget nor a D1 read', async () => {
    const ip = uniqueIp()
    const key = await randomKey()
    for (let i = 0; i < BUDGET + 10; i++) expect((await me(key, ip)).status).toBe(401)
    await withoutApiKeysTable(async () => {
      expect((await me(key, ip)).status).toBe(401)
    })
  })

  it('refuses malformed keys offline, spending nothing', async () => {
    const ip = uniqueIp()
    const real = await randomKey()
    for (let i = 0; i < BUDGET + 10; i++) {
      const malformed = i % 2 ? `${real}x` : `${real.slice(0, -1)}!`
      expect((await me(malformed, ip)).status).toBe(401)
    }
    // The budget is whole: the next unknown well-formed key is still looked up (401, not 429).
    expect((await me(await randomKey(), ip)).status).toBe(401)
  })

  it('counts access tokens that fail verification, ours and unknown issuers’, but not valid ones', async () => {
    const owner = await signUp()
    const ip = uniqueIp()
    const statuses = new Set<number>()
    for (let i = 0; i < BUDGET; i++) {
      const issuer = i % 2 ? env.JWT_ISSUER : `https://issuer-${i}.example.com`
      statuses.add((await me(await forgedToken(issuer), ip)).status)
    }
    expect([...statuses]).toEqual([401])
    await expectThrottled(await me(await forgedToken(env.JWT_ISSUER), ip))
    await expectThrottled(await me(await forgedToken('https://another.example.com'), ip))
    expect((await me(owner.accessToken, ip)).status).toBe(200)
  })
})
