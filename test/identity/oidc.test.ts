import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, inject, it } from 'vitest'
import { callJson, signUp } from '../support/api'

/** An identity provider: a signing key whose public half is published as a JWKS. */
async function identityProvider(name: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwksUrl = `${inject('jwksHostUrl')}/${name}/jwks.json`
  const jwk = { ...(await exportJWK(publicKey)), kid: `${name}-key`, alg: 'RS256', use: 'sig' }
  await fetch(jwksUrl, { method: 'PUT', body: JSON.stringify({ keys: [jwk] }) })
  const issuer = `https://idp.example.com/${name}`
  const sign = (claims: Record<string, unknown>, options: { audience?: string; expiresIn?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: `${name}-key` })
      .setIssuer(issuer)
      .setAudience(options.audience ?? 'ia-bulk')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(privateKey)
  return { issuer, jwksUrl, sign }
}

describe('tenant OpenID Connect issuer', () => {
  it('accepts tokens the tenant’s issuer signs and maps them to the member by email', async () => {
    const owner = await signUp()
    const idp = await identityProvider(`idp-${Date.now()}`)
    const tenant = await callJson('/v1/tenant', 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { oidc: { issuer: idp.issuer, jwks_url: idp.jwksUrl, audience: 'ia-bulk' } },
    })
    expect(tenant.oidc).toEqual({ issuer: idp.issuer, jwks_url: idp.jwksUrl, audience: 'ia-bulk' })

    const token = await idp.sign({ email: owner.email, email_verified: true })
    const me = await callJson('/v1/me', 200, { token })
    expect(me).toMatchObject({
      kind: 'user',
      tenant: { id: owner.tenantId },
      user: { email: owner.email, role: 'owner' },
    })
  })

  it('refuses a wrong audience, an expired token, an unknown email and an unconfigured issuer', async () => {
    const owner = await signUp()
    const idp = await identityProvider(`idp-${Date.now()}-b`)
    await callJson('/v1/tenant', 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { oidc: { issuer: idp.issuer, jwks_url: idp.jwksUrl, audience: 'ia-bulk' } },
    })
    await callJson('/v1/me', 401, {
      token: await idp.sign({ email: owner.email }, { audience: 'someone-else' }),
    })
    await callJson('/v1/me', 401, { token: await idp.sign({ email: owner.email }, { expiresIn: '-1m' }) })
    await callJson('/v1/me', 401, { token: await idp.sign({ email: 'stranger@example.com' }) })
    const stranger = await identityProvider(`idp-${Date.now()}-c`)
    await callJson('/v1/me', 401, { token: await stranger.sign({ email: owner.email }) })
  })

  it('refuses to give one issuer to two tenants', async () => {
    const a = await signUp()
    const b = await signUp()
    const idp = await identityProvider(`idp-${Date.now()}-d`)
    const oidc = { issuer: idp.issuer, jwks_url: idp.jwksUrl }
    await callJson('/v1/tenant', 200, { method: 'PATCH', token: a.accessToken, json: { oidc } })
    await callJson('/v1/tenant', 409, { method: 'PATCH', token: b.accessToken, json: { oidc } })
  })
})
