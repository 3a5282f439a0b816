import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../shared/crypto'
import { type Body, call, callJson, signUp, uniqueIp } from '../support/api'

function refresh(refreshToken: string) {
  return call('/v1/auth/refresh', {
    method: 'POST',
    headers: { 'CF-Connecting-IP': uniqueIp() },
    json: { refresh_token: refreshToken },
  })
}

async function rotate(refreshToken: string): Promise<string> {
  const res = await refresh(refreshToken)
  const body = await res.json<Body>()
  expect(res.status, JSON.stringify(body)).toBe(200)
  return body.refresh_token
}

async function familyOf(refreshToken: string) {
  const row = await env.DB.prepare('SELECT id, family_id FROM refresh_tokens WHERE token_hash = ?')
    .bind(await sha256Hex(refreshToken))
    .first<{ id: string; family_id: string | null }>()
  return row!
}

describe('refresh-token families', () => {
  it('revokes the token that replaced a spent one when the spent one comes back', async () => {
    const owner = await signUp()
    const second = await rotate(owner.refreshToken)
    const third = await rotate(second)
    expect((await familyOf(third)).family_id).toBe((await familyOf(owner.refreshToken)).family_id)

    expect((await refresh(owner.refreshToken)).status).toBe(401)
    expect((await refresh(third)).status).toBe(401)
    const log = await callJson('/v1/audit-log', 200, { token: owner.accessToken })
    expect(log.data[0]).toMatchObject({ action: 'auth.refresh_token_reused' })
  })

  it('leaves the account’s other sign-ins alone', async () => {
    const owner = await signUp()
    const signedIn = await callJson('/v1/auth/token', 200, {
      method: 'POST',
      headers: { 'CF-Connecting-IP': uniqueIp() },
      json: { email: owner.email, password: owner.password },
    })
    await rotate(owner.refreshToken)
    expect((await refresh(owner.refreshToken)).status).toBe(401)
    expect((await refresh(signedIn.refresh_token)).status).toBe(200)
  })

  it('treats a token from before families as a family of its own', async () => {
    const owner = await signUp()
    await env.DB.prepare('UPDATE refresh_tokens SET family_id = NULL WHERE token_hash = ?')
      .bind(await sha256Hex(owner.refreshToken))
      .run()
    const next = await rotate(owner.refreshToken)
    expect((await familyOf(next)).family_id).toBe((await familyOf(owner.refreshToken)).id)
    expect((await refresh(owner.refreshToken)).status).toBe(401)
    expect((await refresh(next)).status).toBe(401)
  })

  it('revokes the family on logout, also when the token sent was already spent', async () => {
    const owner = await signUp()
    const next = await rotate(owner.refreshToken)
    await callJson('/v1/auth/logout', 204, {
      method: 'POST',
      headers: { 'CF-Connecting-IP': uniqueIp() },
      json: { refresh_token: owner.refreshToken },
    })
    expect((await refresh(next)).status).toBe(401)
  })
})
