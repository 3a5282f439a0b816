import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { accountSubject, THROTTLE_LIMITS, throttleFor } from '../../workers/security/throttle'
import { call, callJson, expectErrorEnvelope, signUp, uniqueEmail, uniqueIp } from '../support/api'

const { signInPerIp, accountLockout } = THROTTLE_LIMITS

function signIn(email: string, password: string, ip = uniqueIp()) {
  return call('/v1/auth/token', {
    method: 'POST',
    headers: { 'CF-Connecting-IP': ip },
    json: { email, password },
  })
}

/** The error message without its Retry-After seconds, which differ from one refusal to the next. */
const wording = (body: { error: { message: string } }) => body.error.message.replace(/\d+/g, 'N')

async function expectThrottled(res: Response) {
  const body = await res.json<{ error: { code: string; message: string } }>()
  expect(res.status, JSON.stringify(body)).toBe(429)
  expectErrorEnvelope(body, 'rate_limited')
  expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0)
  return body
}

async function auditActions(accessToken: string): Promise<string[]> {
  const page = await callJson('/v1/audit-log', 200, { token: accessToken })
  return page.data.map((entry: { action: string }) => entry.action)
}

describe('sign-in throttle per client address', () => {
  it('answers 429 with Retry-After once an address spends its sign-ins, before checking anything', async () => {
    const ip = uniqueIp()
    const statuses: number[] = []
    // Different (unknown) emails, so only the address's budget is spent, not an account's.
    for (let i = 0; i < signInPerIp.limit; i++)
      statuses.push((await signIn(uniqueEmail('guess'), 'wrong password!', ip)).status)
    expect(statuses.every((status) => status === 401)).toBe(true)

    const owner = await signUp()
    const body = await expectThrottled(await signIn(owner.email, owner.password, ip))
    expect(body.error.message).toContain('this address')
    // Another address signs the same account in.
    expect((await signIn(owner.email, owner.password)).status).toBe(200)
  })
})

describe('account lockout after wrong passwords', () => {
  it('refuses even the right password during the lock, from any address, and audits the lock', async () => {
    const owner = await signUp()
    const statuses: number[] = []
    for (let i = 0; i < accountLockout.threshold; i++)
      statuses.push((await signIn(owner.email, 'wrong password!')).status)
    expect(statuses).toEqual(Array(accountLockout.threshold).fill(401))

    const refused = await expectThrottled(await signIn(owner.email, owner.password))
    expect(refused.error.message).toContain('this account')

    const actions = await auditActions(owner.accessToken)
    expect(actions.filter((action) => action === 'auth.sign_in_failed')).toHaveLength(
      accountLockout.threshold,
    )
    expect(actions.filter((action) => action === 'auth.account_locked')).toHaveLength(1)
    const page = await callJson('/v1/audit-log', 200, { token: owner.accessToken })
    const locked = page.data.find((entry: { action: string }) => entry.action === 'auth.account_locked')
    expect(locked.details).toEqual({
      failures: accountLockout.threshold,
      locked_for_seconds: accountLockout.baseSeconds,
    })
  })

  it('locks an unregistered email the same way, with the same answer', async () => {
    const owner = await signUp()
    const stranger = uniqueEmail('nobody')
    for (let i = 0; i < accountLockout.threshold; i++) {
      expect((await signIn(owner.email, 'wrong password!')).status).toBe(401)
      expect((await signIn(stranger, 'wrong password!')).status).toBe(401)
    }
    const registered = await expectThrottled(await signIn(owner.email, owner.password))
    const unregistered = await expectThrottled(await signIn(stranger, owner.password))
    expect(wording(unregistered)).toBe(wording(registered))
  })

  it('lets the right password in once the lock is over, and that ends the run of failures', async () => {
    const owner = await signUp()
    for (let i = 0; i < accountLockout.threshold; i++) await signIn(owner.email, 'wrong password!')
    await expectThrottled(await signIn(owner.email, owner.password))

    const stub = throttleFor(env, await accountSubject(owner.email))
    await runInDurableObject(stub, (_instance, state) => {
      const failures = state.storage.kv.get<{ count: number; lockedUntil: number }>('failures')!
      state.storage.kv.put('failures', { ...failures, lockedUntil: Date.now() - 1 })
    })
    expect((await signIn(owner.email, owner.password)).status).toBe(200)
    expect(await stub.lockout()).toEqual({ allowed: true, retryAfterSeconds: 0 })
    // The run starts over: one more wrong password is a 401, not a longer lock.
    expect((await signIn(owner.email, 'wrong password!')).status).toBe(401)
    expect((await signIn(owner.email, owner.password)).status).toBe(200)
  })
})
