import { env } from 'cloudflare:workers'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { call, callJson, createKey, expectErrorEnvelope, signUp } from '../support/api'

const secret = () => new TextEncoder().encode(env.JWT_SECRET)

async function ownToken(claims: { sub: string; tid: string }, options: { alg?: string; exp?: number } = {}) {
  const jwt = new SignJWT({ tid: claims.tid })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
  return jwt.sign(secret())
}

async function me(token?: string) {
  return call('/v1/me', token ? { token } : {})
}

describe('authentication', () => {
  it('answers 401 with the envelope when no credential is sent', async () => {
    const res = await me()
    expect(res.status).toBe(401)
    expectErrorEnvelope(await res.json(), 'unauthenticated')
  })

  it('answers 401 for an unknown API key and for garbage', async () => {
    expect((await me('iab_sk_doesnotexist')).status).toBe(401)
    expect((await me('not a token')).status).toBe(401)
    expect((await call('/v1/me', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401)
  })

  it('shows an API key caller its tenant and scopes on /v1/me', async () => {
    const owner = await signUp('Key Tenant')
    const { id, key } = await createKey(owner.accessToken, ['read'])
    const body = await callJson('/v1/me', 200, { token: key })
    expect(body).toMatchObject({
      kind: 'api_key',
      tenant: { id: owner.tenantId, name: 'Key Tenant', plan: 'free' },
      api_key_id: id,
      user: null,
      scopes: ['read'],
    })
  })

  it('shows a signed-in user their tenant and role', async () => {
    const owner = await signUp()
    const body = await callJson('/v1/me', 200, { token: owner.accessToken })
    expect(body).toMatchObject({
      kind: 'user',
      tenant: { id: owner.tenantId },
      user: { email: owner.email, role: 'owner' },
    })
    expect(body.scopes).toEqual(['read', 'write', 'admin'])
  })

  it('stops accepting a revoked key on the very next request', async () => {
    const owner = await signUp()
    const { id, key } = await createKey(owner.accessToken)
    expect((await me(key)).status).toBe(200)
    await callJson(`/v1/keys/${id}`, 200, { method: 'DELETE', token: owner.accessToken })
    const res = await me(key)
    expect(res.status).toBe(401)
    expectErrorEnvelope(await res.json(), 'unauthenticated')
  })

  it('refuses an expired key', async () => {
    const owner = await signUp()
    const { id, key } = await createKey(owner.accessToken, ['read'], { expires_in_days: 1 })
    await env.DB.prepare('UPDATE api_keys SET expires_at = unixepoch() - 1 WHERE id = ?').bind(id).run()
    expect((await me(key)).status).toBe(401)
  })

  it('records when a key was last used', async () => {
    const owner = await signUp()
    const { id, key } = await createKey(owner.accessToken)
    await me(key)
    const list = await callJson('/v1/keys', 200, { token: owner.accessToken })
    const listed = list.data.find((k: { id: string }) => k.id === id)
    expect(listed.last_used_at).toBeGreaterThan(0)
    expect(listed).not.toHaveProperty('key')
    expect(JSON.stringify(list)).not.toContain(key)
  })

  it('refuses an expired access token, and accepts one inside the clock tolerance', async () => {
    const owner = await signUp()
    const { user } = await callJson('/v1/me', 200, { token: owner.accessToken })
    const now = Math.floor(Date.now() / 1000)
    expect((await me(await ownToken({ sub: user.id, tid: owner.tenantId }, { exp: now - 60 }))).status).toBe(
      401,
    )
    expect((await me(await ownToken({ sub: user.id, tid: owner.tenantId }, { exp: now - 2 }))).status).toBe(
      200,
    )
  })

  it('refuses tokens with an algorithm outside the allow-list or a bad signature', async () => {
    const owner = await signUp()
    const { user } = await callJson('/v1/me', 200, { token: owner.accessToken })
    const hs512 = await ownToken({ sub: user.id, tid: owner.tenantId }, { alg: 'HS512' })
    expect((await me(hs512)).status).toBe(401)
    const [header, payload] = owner.accessToken.split('.')
    const unsigned = `${btoa(JSON.stringify({ alg: 'none' })).replace(/=+$/, '')}.${payload}.`
    expect((await me(unsigned)).status).toBe(401)
    expect((await me(`${header}.${payload}.c2lnbmF0dXJl`)).status).toBe(401)
  })

  it('refuses a token for a tenant the user is not a member of', async () => {
    const a = await signUp()
    const b = await signUp()
    const { user } = await callJson('/v1/me', 200, { token: a.accessToken })
    expect((await me(await ownToken({ sub: user.id, tid: b.tenantId }))).status).toBe(401)
  })
})

describe('sign-in and refresh tokens', () => {
  it('signs in with email and password and refuses a wrong password', async () => {
    const owner = await signUp()
    const tokens = await callJson('/v1/auth/token', 200, {
      method: 'POST',
      json: { email: owner.email.toUpperCase(), password: owner.password },
    })
    expect(tokens).toMatchObject({ token_type: 'Bearer', tenant_id: owner.tenantId, expires_in: 900 })
    expect((await me(tokens.access_token)).status).toBe(200)
    const wrong = await callJson('/v1/auth/token', 401, {
      method: 'POST',
      json: { email: owner.email, password: 'wrong password!' },
    })
    expectErrorEnvelope(wrong, 'unauthenticated')
    await callJson('/v1/auth/token', 401, {
      method: 'POST',
      json: { email: 'nobody@example.com', password: 'whatever-password' },
    })
  })

  it('rotates refresh tokens: each works once', async () => {
    const owner = await signUp()
    const next = await callJson('/v1/auth/refresh', 200, {
      method: 'POST',
      json: { refresh_token: owner.refreshToken },
    })
    expect(next.refresh_token).not.toBe(owner.refreshToken)
    await callJson('/v1/auth/refresh', 401, { method: 'POST', json: { refresh_token: owner.refreshToken } })
    expect((await me(next.access_token)).status).toBe(200)
  })

  it('revokes a refresh token on logout', async () => {
    const owner = await signUp()
    await callJson('/v1/auth/logout', 204, { method: 'POST', json: { refresh_token: owner.refreshToken } })
    await callJson('/v1/auth/refresh', 401, { method: 'POST', json: { refresh_token: owner.refreshToken } })
  })

  it('refuses a second account with the same email', async () => {
    const owner = await signUp()
    const body = await callJson('/v1/auth/signup', 409, {
      method: 'POST',
      json: { tenant_name: 'Other', name: 'X', email: owner.email, password: 'another long password' },
    })
    expectErrorEnvelope(body, 'conflict')
  })
})
