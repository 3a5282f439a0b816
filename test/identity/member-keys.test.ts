import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { tenantCoordinator } from '../../durable-objects/stubs'
import {
  addMember,
  type Body,
  call,
  callJson,
  createKey,
  invite,
  signUp,
  uniqueEmail,
  uniqueIp,
} from '../support/api'
import { mailbox } from '../support/mail'

mailbox()

const ALL = ['read', 'write', 'admin']

async function keyRow(id: string) {
  return env.DB.prepare('SELECT scopes, revoked_at FROM api_keys WHERE id = ?')
    .bind(id)
    .first<{ scopes: string; revoked_at: number | null }>()
}

function refresh(refreshToken: string) {
  return call('/v1/auth/refresh', {
    method: 'POST',
    headers: { 'CF-Connecting-IP': uniqueIp() },
    json: { refresh_token: refreshToken },
  })
}

describe('keys of a member who leaves', () => {
  it('refuses a removed admin’s key on the next request, though this isolate cached it', async () => {
    const owner = await signUp()
    const admin = await addMember(owner.accessToken, 'admin')
    const key = await createKey(admin.accessToken, ALL)
    const ownersKey = await createKey(owner.accessToken, ['read'])
    // Resolved and cached here; removal does not clear this isolate's cache, the coordinator refuses it.
    await callJson('/v1/audit-log', 200, { token: key.key })

    await callJson(`/v1/members/${admin.userId}`, 204, { method: 'DELETE', token: owner.accessToken })
    await callJson('/v1/me', 401, { token: key.key })
    expect((await keyRow(key.id))?.revoked_at).toBeGreaterThan(0)
    await callJson('/v1/me', 200, { token: ownersKey.key })

    const log = await callJson('/v1/audit-log', 200, { token: owner.accessToken })
    expect(log.data[0]).toMatchObject({
      action: 'api_key.revoked',
      target: key.id,
      details: { reason: 'member_removed', member: admin.userId },
    })
    expect(log.data[1]).toMatchObject({
      action: 'member.removed',
      target: admin.userId,
      details: { revoked_api_keys: [key.id], revoked_refresh_tokens: 1 },
    })
  })

  it('revokes the keys their keys made, down the chain', async () => {
    const owner = await signUp()
    const admin = await addMember(owner.accessToken, 'admin')
    const first = await createKey(admin.accessToken, ALL)
    const second = await createKey(first.key, ['read', 'admin'])
    const third = await createKey(second.key, ['admin'])
    // A revoked link does not break the chain.
    await callJson(`/v1/keys/${first.id}`, 200, { method: 'DELETE', token: owner.accessToken })
    await callJson('/v1/keys', 200, { token: third.key })

    await callJson(`/v1/members/${admin.userId}`, 204, { method: 'DELETE', token: owner.accessToken })
    await callJson('/v1/me', 401, { token: second.key })
    await callJson('/v1/keys', 401, { token: third.key })
    expect((await keyRow(third.id))?.revoked_at).toBeGreaterThan(0)
  })

  it('revokes their refresh tokens and pending invitations in that tenant', async () => {
    const owner = await signUp()
    const admin = await addMember(owner.accessToken, 'admin')
    const { invitation } = await invite(admin.accessToken, uniqueEmail(), 'viewer')
    await callJson(`/v1/members/${admin.userId}`, 204, { method: 'DELETE', token: owner.accessToken })
    expect((await refresh(admin.refreshToken)).status).toBe(401)
    const list = await callJson('/v1/invitations', 200, { token: owner.accessToken })
    expect(list.data.find((i: Body) => i.id === invitation.id)).toMatchObject({ status: 'revoked' })
  })
})

describe('keys of a member whose role shrinks', () => {
  it('takes the admin scope from a demoted admin’s keys at once, and revokes those left with none', async () => {
    const owner = await signUp()
    const admin = await addMember(owner.accessToken, 'admin')
    const wide = await createKey(admin.accessToken, ALL)
    const adminOnly = await createKey(admin.accessToken, ['admin'])
    const child = await createKey(wide.key, ['read', 'admin'])
    for (const key of [wide, adminOnly, child]) await callJson('/v1/keys', 200, { token: key.key })

    await callJson(`/v1/members/${admin.userId}`, 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'member' },
    })
    await callJson('/v1/audit-log', 403, { token: wide.key })
    expect((await callJson('/v1/me', 200, { token: wide.key })).scopes).toEqual(['read', 'write'])
    expect((await callJson('/v1/me', 200, { token: child.key })).scopes).toEqual(['read'])
    await callJson('/v1/keys', 401, { token: adminOnly.key })
    expect(JSON.parse((await keyRow(wide.id))!.scopes)).toEqual(['read', 'write'])
    expect((await keyRow(adminOnly.id))?.revoked_at).toBeGreaterThan(0)

    // Promoting the member again gives the keys nothing back.
    await callJson(`/v1/members/${admin.userId}`, 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'admin' },
    })
    await callJson('/v1/audit-log', 403, { token: wide.key })
    const log = await callJson('/v1/audit-log?limit=100', 200, { token: owner.accessToken })
    const narrowed = log.data.filter((entry: Body) => entry.action === 'api_key.narrowed')
    expect(narrowed.map((entry: Body) => entry.target).sort()).toEqual([wide.id, child.id].sort())
  })

  it('leaves the keys alone when the role keeps every scope', async () => {
    const owner = await signUp()
    const admin = await addMember(owner.accessToken, 'admin')
    const key = await createKey(admin.accessToken, ALL)
    await callJson(`/v1/members/${admin.userId}`, 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'owner' },
    })
    await callJson(`/v1/members/${admin.userId}`, 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'admin' },
    })
    expect((await callJson('/v1/me', 200, { token: key.key })).scopes).toEqual(ALL)
  })
})

describe('TenantCoordinator scope ceilings', () => {
  it('caps a key another isolate narrowed, whatever this isolate cached, and only ever lowers', async () => {
    const owner = await signUp()
    const key = await createKey(owner.accessToken, ALL)
    await callJson('/v1/audit-log', 200, { token: key.key })
    const coordinator = tenantCoordinator(env, owner.tenantId)
    await coordinator.restrictApiKeys({ revoke: [], narrow: [{ keyId: key.id, scopes: ['read', 'write'] }] })
    await callJson('/v1/audit-log', 403, { token: key.key })
    await callJson('/v1/keys', 403, { method: 'POST', token: key.key, json: { name: 'x', scopes: ['read'] } })
    await coordinator.restrictApiKeys({ revoke: [], narrow: [{ keyId: key.id, scopes: ['read', 'admin'] }] })
    expect((await callJson('/v1/me', 200, { token: key.key })).scopes).toEqual(['read'])
    await coordinator.restrictApiKeys({ revoke: [], narrow: [{ keyId: key.id, scopes: ['write'] }] })
    await callJson('/v1/me', 401, { token: key.key })
  })
})
