// SSRF through a tenant's OpenID Connect settings: the issuer and JWKS URL pass the URL guard
// when they are saved, and tokens cannot make the Worker fetch: nothing is fetched for an unknown
// issuer or a token that is not a JWS with an allowed algorithm, and the key set is cached across
// requests (and isolates), so garbage tokens naming a configured issuer cost one fetch at most.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../workers/api/app'
import { forgetIsolateKeySets } from '../../workers/identity/jwks-cache'
import { BASE, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { hits, publish, uniquePath } from '../support/jwks-host'

const base64url = (text: string) => btoa(text).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
const json64 = (value: unknown) => base64url(JSON.stringify(value))
const randomSignature = () => base64url(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(256))))

/** A client address of its own, so these tests spend nobody else's failed-credentials budget. */
const clientIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}`

async function identityProvider(jwksPath = uniquePath('jwks.json'), status?: number) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = `key-${crypto.randomUUID()}`
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  const jwksUrl = await publish(jwksPath, { body: JSON.stringify({ keys: [jwk] }), status })
  const issuer = `https://idp.example.com${jwksPath}`
  const sign = (email: string) =>
    new SignJWT({ email, email_verified: true })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setAudience('ia-bulk')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
  /** Looks like this issuer's token, but is not: unknown key ids, or the real one with a forged signature. */
  const garbage = (
    i: number,
    header: Record<string, unknown> = { alg: 'RS256', kid: i % 2 ? kid : `k${i}` },
  ) =>
    `${json64(header)}.${json64({ iss: issuer, aud: 'ia-bulk', email: 'x@example.com', exp: Math.floor(Date.now() / 1000) + 300 })}.${randomSignature()}`
  return { issuer, jwksUrl, jwksPath, sign, garbage }
}

async function configure(idp: { issuer: string; jwksUrl: string }) {
  const owner = await signUp()
  await callJson('/v1/tenant', 200, {
    method: 'PATCH',
    token: owner.accessToken,
    json: { oidc: { issuer: idp.issuer, jwks_url: idp.jwksUrl, audience: 'ia-bulk' } },
  })
  return owner
}

const me = (token: string, ip: string, status: number) =>
  callJson('/v1/me', status, { token, headers: { 'CF-Connecting-IP': ip } })

describe('tenant OpenID Connect URLs', () => {
  it('refuses private, metadata, loopback-in-disguise and plain-http issuer and JWKS URLs with 400 url_refused', async () => {
    const owner = await signUp()
    const good = {
      issuer: 'https://idp.example.com/acme',
      jwks_url: 'https://idp.example.com/acme/jwks.json',
    }
    const refused = [
      { ...good, jwks_url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' },
      { ...good, jwks_url: 'https://10.0.0.1/jwks.json' },
      { ...good, jwks_url: 'https://[::ffff:0:7f00:1]/jwks.json' },
      { ...good, jwks_url: 'https://metadata.google.internal/jwks' },
      { ...good, jwks_url: 'https://0xa9fea9fe/jwks' },
      { ...good, jwks_url: 'http://idp.example.com/acme/jwks.json' },
      { ...good, issuer: 'http://idp.example.com/acme' },
      { ...good, issuer: 'https://192.168.1.10/' },
      { ...good, issuer: 'https://[fd00:ec2::254]/' },
    ]
    for (const oidc of refused) {
      const body = await callJson('/v1/tenant', 400, {
        method: 'PATCH',
        token: owner.accessToken,
        json: { oidc },
      })
      expectErrorEnvelope(body, 'url_refused')
      expect(body.error.message).toMatch(/^This (OpenID Connect issuer|JWKS URL) cannot be used\./)
    }
    const tenant = await callJson('/v1/tenant', 200, { token: owner.accessToken })
    expect(tenant.oidc).toBeNull()
    await callJson('/v1/tenant', 200, { method: 'PATCH', token: owner.accessToken, json: { oidc: good } })
  })

  it('refuses loopback issuer and JWKS URLs when the dev flag is off', async () => {
    const owner = await signUp()
    const strictEnv = { ...env, WEBHOOKS_ALLOW_LOCALHOST: 'false' }
    for (const oidc of [
      { issuer: 'https://idp.example.com/a', jwks_url: 'http://127.0.0.1:8080/jwks.json' },
      { issuer: 'https://idp.example.com/a', jwks_url: 'https://localhost/jwks.json' },
      { issuer: 'https://127.1/', jwks_url: 'https://idp.example.com/a/jwks.json' },
    ]) {
      const ctx = createExecutionContext()
      const response = await createApp().fetch(
        new Request(`${BASE}/v1/tenant`, {
          method: 'PATCH',
          headers: { Authorization: `Bearer ${owner.accessToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ oidc }),
        }),
        strictEnv,
        ctx,
      )
      await waitOnExecutionContext(ctx)
      expect(response.status).toBe(400)
      expectErrorEnvelope(await response.json(), 'url_refused')
    }
  })
})

describe('tenant JWKS fetches', () => {
  it('fetches the key set once for many garbage tokens naming the issuer, then verifies real ones from the cache', async () => {
    const idp = await identityProvider()
    const owner = await configure(idp)
    expect(await hits(idp.jwksPath)).toBe(0)
    const ip = clientIp()
    for (let i = 0; i < 20; i++) await me(idp.garbage(i), ip, 401)
    expect(await hits(idp.jwksPath)).toBe(1)
    const principal = await me(await idp.sign(owner.email), clientIp(), 200)
    expect(principal).toMatchObject({ kind: 'user', tenant: { id: owner.tenantId } })
    expect(await hits(idp.jwksPath)).toBe(1)
  })

  it('fetches nothing for an unknown issuer, a disallowed algorithm or a token with no signature', async () => {
    const idp = await identityProvider()
    await configure(idp)
    const stranger = await identityProvider()
    const ip = clientIp()
    for (let i = 0; i < 5; i++) await me(stranger.garbage(i), ip, 401)
    await me(await stranger.sign('someone@example.com'), ip, 401)
    for (const header of [{ alg: 'HS256' }, { alg: 'none' }, { alg: 'RS1' }, { kid: 'x' }])
      await me(idp.garbage(0, header), ip, 401)
    const unsigned = idp.garbage(0).split('.').slice(0, 2).join('.').concat('.')
    await me(unsigned, ip, 401)
    expect(await hits(idp.jwksPath)).toBe(0)
    expect(await hits(stranger.jwksPath)).toBe(0)
  })

  it('does not fetch a failing key set again during the cooldown', async () => {
    const idp = await identityProvider(uniquePath('jwks.json'), 500)
    const owner = await configure(idp)
    const ip = clientIp()
    for (let i = 0; i < 10; i++) await me(i % 2 ? idp.garbage(i) : await idp.sign(owner.email), ip, 401)
    expect(await hits(idp.jwksPath)).toBe(1)
  })

  it('shares the key set with the location’s other isolates through the Cache API', async () => {
    const idp = await identityProvider()
    const owner = await configure(idp)
    await me(await idp.sign(owner.email), clientIp(), 200)
    expect(await hits(idp.jwksPath)).toBe(1)
    forgetIsolateKeySets()
    const ip = clientIp()
    for (let i = 0; i < 10; i++) await me(idp.garbage(i), ip, 401)
    await me(await idp.sign(owner.email), clientIp(), 200)
    expect(await hits(idp.jwksPath)).toBe(1)
  })
})
