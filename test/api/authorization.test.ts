import { describe, expect, it } from 'vitest'
import {
  acceptInvitation,
  addMember,
  callJson,
  createKey,
  expectErrorEnvelope,
  invite,
  signUp,
  uniqueEmail,
  uniqueIp,
} from '../support/api'

describe('authorization', () => {
  it('answers 403 when a key lacks the scope', async () => {
    const owner = await signUp()
    const { key } = await createKey(owner.accessToken, ['read', 'write'])
    const body = await callJson('/v1/keys', 403, {
      method: 'POST',
      token: key,
      json: { name: 'x', scopes: ['read'] },
    })
    expectErrorEnvelope(body, 'forbidden')
    expect(body.error.message).toContain('admin')
    await callJson('/v1/audit-log', 403, { token: key })
  })

  it('answers 403 when a member’s role is not enough', async () => {
    const owner = await signUp()
    const viewer = await addMember(owner.accessToken, 'viewer')
    const member = await addMember(owner.accessToken, 'member')
    await callJson('/v1/me', 200, { token: viewer.accessToken })
    await callJson('/v1/keys', 403, { method: 'POST', token: viewer.accessToken, json: { name: 'x' } })
    await callJson('/v1/invitations', 403, {
      method: 'POST',
      token: member.accessToken,
      json: { email: uniqueEmail(), role: 'viewer' },
    })
    await callJson('/v1/tenant', 403, {
      method: 'PATCH',
      token: member.accessToken,
      json: { name: 'Renamed' },
    })
  })

  it('does not let a key grant scopes it does not hold', async () => {
    const owner = await signUp()
    const viewer = await addMember(owner.accessToken, 'admin')
    const { key } = await createKey(viewer.accessToken, ['admin'])
    await callJson('/v1/keys', 201, { method: 'POST', token: key, json: { name: 'ok', scopes: ['admin'] } })
    const body = await callJson('/v1/keys', 403, {
      method: 'POST',
      token: key,
      json: { name: 'no', scopes: ['write'] },
    })
    expect(body.error.message).toContain('write')
  })

  it('keeps the owner role in owners’ hands and keeps one owner', async () => {
    const owner = await signUp()
    const admin = await addMember(owner.accessToken, 'admin')
    const { user } = await callJson('/v1/me', 200, { token: owner.accessToken })
    await callJson(`/v1/members/${admin.userId}`, 403, {
      method: 'PATCH',
      token: admin.accessToken,
      json: { role: 'owner' },
    })
    await callJson(`/v1/members/${user.id}`, 403, { method: 'DELETE', token: admin.accessToken })
    const last = await callJson(`/v1/members/${user.id}`, 409, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'admin' },
    })
    expectErrorEnvelope(last, 'conflict')
    await callJson(`/v1/members/${admin.userId}`, 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'owner' },
    })
    await callJson(`/v1/members/${user.id}`, 200, {
      method: 'PATCH',
      token: admin.accessToken,
      json: { role: 'viewer' },
    })
  })

  it('applies a role change on the next request', async () => {
    const owner = await signUp()
    const admin = await addMember(owner.accessToken, 'admin')
    await callJson('/v1/audit-log', 200, { token: admin.accessToken })
    await callJson(`/v1/members/${admin.userId}`, 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'viewer' },
    })
    await callJson('/v1/audit-log', 403, { token: admin.accessToken })
    await callJson(`/v1/members/${admin.userId}`, 204, { method: 'DELETE', token: owner.accessToken })
    await callJson('/v1/me', 401, { token: admin.accessToken })
  })
})

describe('tenant isolation', () => {
  it('answers 404, never 403 or data, for another tenant’s key and member', async () => {
    const a = await signUp('Tenant A')
    const b = await signUp('Tenant B')
    const keyOfA = await createKey(a.accessToken)
    const { user: ownerOfA } = await callJson('/v1/me', 200, { token: a.accessToken })

    expectErrorEnvelope(
      await callJson(`/v1/keys/${keyOfA.id}`, 404, { method: 'DELETE', token: b.accessToken }),
      'not_found',
    )
    await callJson(`/v1/members/${ownerOfA.id}`, 404, {
      method: 'PATCH',
      token: b.accessToken,
      json: { role: 'viewer' },
    })
    await callJson(`/v1/members/${ownerOfA.id}`, 404, { method: 'DELETE', token: b.accessToken })

    const keysOfB = await callJson('/v1/keys', 200, { token: b.accessToken })
    expect(keysOfB.data.map((k: { id: string }) => k.id)).not.toContain(keyOfA.id)
    const membersOfB = await callJson('/v1/members', 200, { token: b.accessToken })
    expect(membersOfB.data.map((m: { user_id: string }) => m.user_id)).not.toContain(ownerOfA.id)
    const auditOfB = await callJson('/v1/audit-log', 200, { token: b.accessToken })
    expect(JSON.stringify(auditOfB)).not.toContain(a.tenantId)
    expect((await callJson('/v1/me', 200, { token: keyOfA.key })).tenant.id).toBe(a.tenantId)
  })
})

describe('members and audit log', () => {
  it('adds an existing account to a second tenant, which then needs tenant_id to sign in', async () => {
    const a = await signUp()
    const b = await signUp()
    const { token } = await invite(b.accessToken, a.email, 'viewer')
    expect((await acceptInvitation({ token, email: a.email, password: a.password })).status).toBe(200)
    const ambiguous = await callJson('/v1/auth/token', 400, {
      method: 'POST',
      headers: { 'CF-Connecting-IP': uniqueIp() },
      json: { email: a.email, password: a.password },
    })
    expectErrorEnvelope(ambiguous, 'tenant_required')
    const intoB = await callJson('/v1/auth/token', 200, {
      method: 'POST',
      headers: { 'CF-Connecting-IP': uniqueIp() },
      json: { email: a.email, password: a.password, tenant_id: b.tenantId },
    })
    const me = await callJson('/v1/me', 200, { token: intoB.access_token })
    expect(me).toMatchObject({ tenant: { id: b.tenantId }, user: { role: 'viewer' } })
  })

  it('records sign-in, key and member changes in the audit log, newest first, paged', async () => {
    const owner = await signUp()
    await callJson('/v1/auth/token', 200, {
      method: 'POST',
      json: { email: owner.email, password: owner.password },
    })
    await callJson('/v1/auth/token', 401, {
      method: 'POST',
      json: { email: owner.email, password: 'not the password' },
    })
    const { id } = await createKey(owner.accessToken)
    await callJson(`/v1/keys/${id}`, 200, { method: 'DELETE', token: owner.accessToken })
    const member = await addMember(owner.accessToken, 'viewer')
    await callJson(`/v1/members/${member.userId}`, 200, {
      method: 'PATCH',
      token: owner.accessToken,
      json: { role: 'member' },
    })

    const log = await callJson('/v1/audit-log?limit=100', 200, { token: owner.accessToken })
    const actions = log.data.map((entry: { action: string }) => entry.action)
    expect(actions).toEqual([
      'member.role_changed',
      'invitation.accepted',
      'invitation.created',
      'api_key.revoked',
      'api_key.created',
      'auth.sign_in_failed',
      'auth.signed_in',
      'auth.email_verified',
      'auth.signed_up',
    ])
    expect(log.data[0]).toMatchObject({ target: member.userId, details: { from: 'viewer', to: 'member' } })
    expect(log.data[0].request_id).toMatch(/\S/)

    const first = await callJson('/v1/audit-log?limit=2', 200, { token: owner.accessToken })
    expect(first.has_more).toBe(true)
    const second = await callJson(`/v1/audit-log?limit=2&after=${first.last_id}`, 200, {
      token: owner.accessToken,
    })
    expect(second.data.map((entry: { action: string }) => entry.action)).toEqual(actions.slice(2, 4))
  })
})
