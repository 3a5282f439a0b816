import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../shared/crypto'
import { THROTTLE_LIMITS } from '../../workers/security/throttle'
import { chatLine, expectOpenAIError, jsonl, OPENAI, uploadFile } from '../openai/support'
import { callJson, createKey, expectErrorEnvelope, signUp, uniqueIp } from '../support/api'
import { lastMailTo, mailbox, tokenIn } from '../support/mail'

const sent = mailbox()

const inlineBatch = { task: 'seo_meta', items: [{ custom_id: 'a', input: { title: 'Trail shoes' } }] }

function verify(token: string, status: number) {
  return callJson('/v1/auth/verify-email', status, {
    method: 'POST',
    headers: { 'CF-Connecting-IP': uniqueIp() },
    json: { token },
  })
}

function resend(accessToken: string, status: number) {
  return callJson('/v1/auth/verify-email/resend', status, { method: 'POST', token: accessToken })
}

describe('email verification gate on batches', () => {
  it('refuses batches, previews, realtime calls and OpenAI batches with email_unverified until the owner verifies', async () => {
    const owner = await signUp('Unverified', { verified: false })
    const { key } = await createKey(owner.accessToken, ['read', 'write'])
    const post = (path: string, json: unknown, status: number) =>
      callJson(path, status, { method: 'POST', token: owner.accessToken, json })

    expectErrorEnvelope(await post('/v1/batches', inlineBatch, 403), 'email_unverified')
    expectErrorEnvelope(
      await post('/v1/batches/preview', { ...inlineBatch, rows: 1 }, 403),
      'email_unverified',
    )
    const file = await uploadFile(key, jsonl([chatLine('r1', 'Hello')]))
    const openaiBatch = { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }
    const refused = await callJson(`${OPENAI}/batches`, 403, {
      method: 'POST',
      token: key,
      json: openaiBatch,
    })
    expectOpenAIError(refused, 'permission_error', 'email_unverified')
    // Realtime calls run models on the same quota, so they wait for verification too.
    const generate = { task: 'seo_meta', input: { title: 'Trail shoes' } }
    expectErrorEnvelope(await post('/v1/generate', generate, 403), 'email_unverified')
    const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }
    const chatRefused = await callJson(`${OPENAI}/chat/completions`, 403, {
      method: 'POST',
      token: key,
      json: chat,
    })
    expectOpenAIError(chatRefused, 'permission_error', 'email_unverified')
    // Reading stays open, and no batch was made.
    expect((await callJson('/v1/batches', 200, { token: owner.accessToken })).data).toHaveLength(0)

    const mail = lastMailTo(owner.email)
    expect(mail.subject).toMatch(/verify/i)
    const verified = await verify(tokenIn(mail), 200)
    expect(verified).toMatchObject({ object: 'email_verification', email: owner.email })
    expect(verified.verified_at).toBeGreaterThan(0)

    expect((await post('/v1/batches', inlineBatch, 202)).object).toBe('batch')
    await post('/v1/batches/preview', { ...inlineBatch, rows: 1 }, 200)
    await callJson(`${OPENAI}/batches`, 200, { method: 'POST', token: key, json: openaiBatch })
    await post('/v1/generate', generate, 200)
    await callJson(`${OPENAI}/chat/completions`, 200, { method: 'POST', token: key, json: chat })
    const audit = await callJson('/v1/audit-log', 200, { token: owner.accessToken })
    expect(audit.data.map((entry: { action: string }) => entry.action)).toContain('auth.email_verified')
  })
})

describe('verification tokens', () => {
  it('stores only the token’s SHA-256, and a token works once', async () => {
    const owner = await signUp('Once', { verified: false })
    const token = tokenIn(lastMailTo(owner.email))
    const row = await env.DB.prepare('SELECT token_hash FROM user_tokens WHERE token_hash = ?')
      .bind(await sha256Hex(token))
      .first()
    expect(row).not.toBeNull()
    expect(JSON.stringify(await env.DB.prepare('SELECT * FROM user_tokens').all())).not.toContain(token)

    await verify(token, 200)
    expectErrorEnvelope(await verify(token, 400), 'invalid_token')
  })

  it('refuses an expired token, and a new one from resend works while the old stops', async () => {
    const owner = await signUp('Late', { verified: false })
    const first = tokenIn(lastMailTo(owner.email))
    await env.DB.prepare('UPDATE user_tokens SET expires_at = unixepoch() - 1 WHERE token_hash = ?')
      .bind(await sha256Hex(first))
      .run()
    expectErrorEnvelope(await verify(first, 400), 'invalid_token')

    const before = sent.length
    expect(await resend(owner.accessToken, 202)).toMatchObject({ email: owner.email, verified_at: null })
    expect(sent.length).toBe(before + 1)
    const second = tokenIn(lastMailTo(owner.email))
    expect(second).not.toBe(first)
    await resend(owner.accessToken, 202)
    const third = tokenIn(lastMailTo(owner.email))
    // Each resend replaces the token before it.
    expectErrorEnvelope(await verify(second, 400), 'invalid_token')
    await verify(third, 200)
    expectErrorEnvelope(await resend(owner.accessToken, 409), 'email_already_verified')
  })

  it('limits resends per account, and refuses them to API keys and without credentials', async () => {
    const owner = await signUp('Chatty', { verified: false })
    for (let i = 0; i < THROTTLE_LIMITS.verificationMailPerAccount.limit; i++)
      await resend(owner.accessToken, 202)
    expectErrorEnvelope(await resend(owner.accessToken, 429), 'rate_limited')
    const { key } = await createKey(owner.accessToken, ['read', 'write', 'admin'])
    expectErrorEnvelope(await resend(key, 403), 'forbidden')
    expectErrorEnvelope(
      await callJson('/v1/auth/verify-email/resend', 401, { method: 'POST' }),
      'unauthenticated',
    )
  })
})
