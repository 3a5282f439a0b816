import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  acceptInvitation,
  type Body,
  call,
  callJson,
  createKey,
  expectErrorEnvelope,
  invite,
  signUp,
  uniqueEmail,
  uniqueIp,
} from '../support/api'
import { lastMailTo, mailbox } from '../support/mail'

const sent = mailbox()

function signIn(email: string, password: string, tenantId?: string) {
  return call('/v1/auth/token', {
    method: 'POST',
    headers: { 'CF-Connecting-IP': uniqueIp() },
    json: { email, password, ...(tenantId && { tenant_id: tenantId }) },
  })
}

async function expectRefused(res: Response, status: number, code: string) {
  const body = await res.json<Body>()
  expect(res.status, JSON.stringify(body)).toBe(status)
  expectErrorEnvelope(body, code)
}

describe('joining a tenant by invitation', () => {
  it('lets a new account set its own password on acceptance, then sign in with it', async () => {
    const owner = await signUp()
    const email = uniqueEmail('invitee')
    const { invitation, token } = await invite(owner.accessToken, email, 'member')
    expect(invitation).toMatchObject({ object: 'invitation', email, role: 'member', status: 'pending' })
    expect(invitation.expires_at - invitation.created_at).toBe(7 * 86_400)
    expect(JSON.stringify(invitation)).not.toContain(token)

    const res = await acceptInvitation({ token, email, password: 'the invitee’s own password', name: 'Ivy' })
    const tokens = await res.json<Body>()
    expect(res.status, JSON.stringify(tokens)).toBe(200)
    expect(tokens.tenant_id).toBe(owner.tenantId)
    const me = await callJson('/v1/me', 200, { token: tokens.access_token })
    expect(me.user).toMatchObject({ email, role: 'member' })

    expect((await signIn(email, 'the invitee’s own password')).status).toBe(200)
    const user = await env.DB.prepare('SELECT name, email_verified_at FROM users WHERE email = ?')
      .bind(email)
      .first<{ name: string; email_verified_at: number | null }>()
    expect(user).toMatchObject({ name: 'Ivy' })
    expect(user?.email_verified_at).toBeGreaterThan(0)

    const list = await callJson('/v1/invitations', 200, { token: owner.accessToken })
    expect(list.data[0]).toMatchObject({ id: invitation.id, status: 'accepted', accepted_by: me.user.id })
    const log = await callJson('/v1/audit-log', 200, { token: owner.accessToken })
    const actions = log.data.map((entry: { action: string }) => entry.action)
    expect(actions.slice(0, 3)).toEqual(['auth.signed_in', 'invitation.accepted', 'invitation.created'])
    expect(log.data[1]).toMatchObject({ actor: me.user.id, target: invitation.id })
    expect(log.data[2]).toMatchObject({ details: { email, role: 'member' } })
  })

  it('gives a second tenant’s invitee no way in without the account’s own credential', async () => {
    const victim = await signUp('Victim Co')
    const other = await signUp('Other Co')
    const { token } = await invite(other.accessToken, victim.email, 'admin')

    // Holding the token (a forwarded mail, say) is not enough, and sets no password.
    await expectRefused(await acceptInvitation({ token, email: victim.email }), 401, 'unauthenticated')
    await expectRefused(
      await acceptInvitation({ token, email: victim.email, password: 'a password I chose myself' }),
      401,
      'unauthenticated',
    )
    expect((await signIn(victim.email, 'a password I chose myself')).status).toBe(401)
    // Nor is another account's access token, the inviter's included.
    await expectRefused(
      await acceptInvitation({ token, email: victim.email }, { bearer: other.accessToken }),
      403,
      'invitation_email_mismatch',
    )
    await expectRefused(
      await acceptInvitation({ token, email: victim.email }, { bearer: 'not-a-token' }),
      401,
      'unauthenticated',
    )
    const members = await callJson('/v1/members', 200, { token: other.accessToken })
    expect(members.data.map((m: { email: string }) => m.email)).not.toContain(victim.email)

    const res = await acceptInvitation({ token, email: victim.email, password: victim.password })
    expect(res.status).toBe(200)
    const intoOther = await signIn(victim.email, victim.password, other.tenantId)
    const me = await callJson('/v1/me', 200, { token: (await intoOther.json<Body>()).access_token })
    expect(me).toMatchObject({ tenant: { id: other.tenantId }, user: { role: 'admin' } })
  })

  it('accepts an existing account’s own access token instead of its password', async () => {
    const invitee = await signUp()
    const other = await signUp()
    const { token } = await invite(other.accessToken, invitee.email, 'viewer')
    const res = await acceptInvitation({ token, email: invitee.email }, { bearer: invitee.accessToken })
    const tokens = await res.json<Body>()
    expect(res.status, JSON.stringify(tokens)).toBe(200)
    const me = await callJson('/v1/me', 200, { token: tokens.access_token })
    expect(me).toMatchObject({
      tenant: { id: other.tenantId },
      user: { email: invitee.email, role: 'viewer' },
    })
  })

  it('no longer lets an admin create an account, with a password, for someone else', async () => {
    const admin = await signUp()
    const email = uniqueEmail('victim')
    const body = await callJson('/v1/members', 410, {
      method: 'POST',
      token: admin.accessToken,
      json: { email, role: 'viewer', password: 'the admin’s choice of password' },
    })
    expectErrorEnvelope(body, 'use_invitations')
    expect(body.error.message).toContain('/v1/invitations')
    const user = await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(email).first()
    expect(user).toBeNull()
    expect((await signIn(email, 'the admin’s choice of password')).status).toBe(401)
  })

  it('answers alike for a registered and an unknown address', async () => {
    const owner = await signUp()
    const registered = (await signUp()).email
    const unknown = uniqueEmail('unknown')
    const a = await call('/v1/invitations', {
      method: 'POST',
      token: owner.accessToken,
      json: { email: registered, role: 'member' },
    })
    const b = await call('/v1/invitations', {
      method: 'POST',
      token: owner.accessToken,
      json: { email: unknown, role: 'member' },
    })
    expect(a.status).toBe(201)
    expect(b.status).toBe(a.status)
    expect([...b.headers.keys()].sort()).toEqual([...a.headers.keys()].sort())
    const neutral = (body: Body) => ({ ...body, id: 'x', email: 'x', created_at: 0, expires_at: 0 })
    expect(neutral(await b.json())).toEqual(neutral(await a.json()))
    // The mails differ in the token and the address only.
    const text = (to: string) =>
      lastMailTo(to)
        .text.replace(/iab_inv_[\w-]+/g, 'TOKEN')
        .replace(/until \S+\)/, 'until T)')
    expect(text(unknown)).toBe(text(registered))
    expect(lastMailTo(unknown).subject).toBe(lastMailTo(registered).subject)
  })
})

describe('invitation tokens', () => {
  it('work once and only for the invited address', async () => {
    const owner = await signUp()
    const email = uniqueEmail('invitee')
    const { token } = await invite(owner.accessToken, email, 'member')
    const password = 'the invitee’s own password'
    await expectRefused(
      await acceptInvitation({ token, email: uniqueEmail('someone-else'), password }),
      403,
      'invitation_email_mismatch',
    )
    expect((await acceptInvitation({ token, email, password })).status).toBe(200)
    await expectRefused(
      await acceptInvitation({ token, email, password }),
      409,
      'invitation_already_accepted',
    )
    await expectRefused(
      await acceptInvitation({ token: 'iab_inv_unknown', email, password }),
      404,
      'invitation_not_found',
    )
  })

  it('stop working when revoked, replaced or expired', async () => {
    const owner = await signUp()
    const email = uniqueEmail('invitee')
    const password = 'the invitee’s own password'

    const first = await invite(owner.accessToken, email, 'member')
    const revoked = await callJson(`/v1/invitations/${first.invitation.id}`, 200, {
      method: 'DELETE',
      token: owner.accessToken,
    })
    expect(revoked).toMatchObject({ status: 'revoked' })
    await callJson(`/v1/invitations/${first.invitation.id}`, 200, {
      method: 'DELETE',
      token: owner.accessToken,
    })
    await expectRefused(
      await acceptInvitation({ token: first.token, email, password }),
      410,
      'invitation_revoked',
    )

    const second = await invite(owner.accessToken, email, 'member')
    const third = await invite(owner.accessToken, email, 'viewer')
    await expectRefused(
      await acceptInvitation({ token: second.token, email, password }),
      410,
      'invitation_revoked',
    )

    await env.DB.prepare('UPDATE invitations SET expires_at = unixepoch() - 1 WHERE id = ?')
      .bind(third.invitation.id)
      .run()
    await expectRefused(
      await acceptInvitation({ token: third.token, email, password }),
      410,
      'invitation_expired',
    )
    const list = await callJson('/v1/invitations', 200, { token: owner.accessToken })
    expect(list.data.map((i: { status: string }) => i.status)).toEqual(['expired', 'revoked', 'revoked'])
    expect(await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(email).first()).toBeNull()
  })

  it('keep only a hash in D1', async () => {
    const owner = await signUp()
    const { invitation, token } = await invite(owner.accessToken, uniqueEmail(), 'viewer')
    const row = await env.DB.prepare('SELECT token_hash FROM invitations WHERE id = ?')
      .bind(invitation.id)
      .first<{ token_hash: string }>()
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(row?.token_hash).not.toContain(token)
  })
})

describe('managing invitations', () => {
  it('keeps the owner role in owners’ hands and invitations in admins’', async () => {
    const owner = await signUp()
    const { token: adminToken } = await invite(owner.accessToken, uniqueEmail('admin'), 'admin')
    expect(adminToken).toMatch(/\S/)
    const { key: adminKey } = await createKey(owner.accessToken, ['read', 'write', 'admin'])
    const { key: writeKey } = await createKey(owner.accessToken, ['read', 'write'])
    await callJson('/v1/invitations', 403, {
      method: 'POST',
      token: adminKey,
      json: { email: uniqueEmail(), role: 'owner' },
    })
    await callJson('/v1/invitations', 403, {
      method: 'POST',
      token: writeKey,
      json: { email: uniqueEmail(), role: 'viewer' },
    })
    await callJson('/v1/invitations', 403, { token: writeKey })
    const { invitation } = await invite(owner.accessToken, uniqueEmail('co-owner'), 'owner')
    await callJson(`/v1/invitations/${invitation.id}`, 403, { method: 'DELETE', token: adminKey })
    await callJson(`/v1/invitations/${invitation.id}`, 200, { method: 'DELETE', token: owner.accessToken })
  })

  it('refuses an invitation of a member, and answers 404 for another tenant’s invitation', async () => {
    const a = await signUp()
    const b = await signUp()
    const body = await callJson('/v1/invitations', 409, {
      method: 'POST',
      token: a.accessToken,
      json: { email: a.email, role: 'viewer' },
    })
    expectErrorEnvelope(body, 'already_member')
    const { invitation } = await invite(a.accessToken, uniqueEmail(), 'viewer')
    await callJson(`/v1/invitations/${invitation.id}`, 404, { method: 'DELETE', token: b.accessToken })
    const listOfB = await callJson('/v1/invitations', 200, { token: b.accessToken })
    expect(listOfB.data).toEqual([])
  })

  it('refuses to revoke an accepted invitation', async () => {
    const owner = await signUp()
    const email = uniqueEmail()
    const { invitation, token } = await invite(owner.accessToken, email, 'viewer')
    expect((await acceptInvitation({ token, email, password: 'a long enough password' })).status).toBe(200)
    const body = await callJson(`/v1/invitations/${invitation.id}`, 409, {
      method: 'DELETE',
      token: owner.accessToken,
    })
    expectErrorEnvelope(body, 'invitation_already_accepted')
    expect(sent.length).toBeGreaterThan(0)
  })
})
