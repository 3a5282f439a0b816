import { describe, expect, it } from 'vitest'
import { THROTTLE_LIMITS } from '../../workers/security/throttle'
import { call, expectErrorEnvelope, signUp, uniqueEmail, uniqueIp } from '../support/api'

const { signUpPerIp, refreshPerIp, verifyEmailPerIp } = THROTTLE_LIMITS

function post(path: string, ip: string, json: unknown) {
  return call(path, { method: 'POST', headers: { 'CF-Connecting-IP': ip }, json })
}

const signUpFrom = (ip: string) =>
  post('/v1/auth/signup', ip, {
    tenant_name: 'Throwaway',
    name: 'Someone',
    email: uniqueEmail('throwaway'),
    password: 'a long enough password',
  })

async function expectThrottled(res: Response) {
  const body = await res.json()
  expect(res.status, JSON.stringify(body)).toBe(429)
  expectErrorEnvelope(body, 'rate_limited')
  expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0)
}

describe('throttles before authentication', () => {
  it('refuses sign-ups past the per-address limit, and no tenant is made', async () => {
    const ip = uniqueIp()
    for (let i = 0; i < signUpPerIp.limit; i++) expect((await signUpFrom(ip)).status).toBe(201)
    await expectThrottled(await signUpFrom(ip))
    // Another address still signs up.
    expect((await signUpFrom(uniqueIp())).status).toBe(201)
  })

  it('refuses a flood of refresh-token exchanges from one address', async () => {
    const ip = uniqueIp()
    const statuses = new Set<number>()
    for (let i = 0; i < refreshPerIp.limit; i++)
      statuses.add((await post('/v1/auth/refresh', ip, { refresh_token: `iab_rt_guess${i}` })).status)
    expect([...statuses]).toEqual([401])
    await expectThrottled(await post('/v1/auth/refresh', ip, { refresh_token: 'iab_rt_guess' }))
    // Logout spends a token lookup too: the same budget refuses it.
    await expectThrottled(await post('/v1/auth/logout', ip, { refresh_token: 'iab_rt_guess' }))
    // A real refresh token from another address still works.
    const owner = await signUp()
    expect((await post('/v1/auth/refresh', uniqueIp(), { refresh_token: owner.refreshToken })).status).toBe(
      200,
    )
  })

  it('refuses guessing verification tokens past the per-address limit', async () => {
    const ip = uniqueIp()
    for (let i = 0; i < verifyEmailPerIp.limit; i++) {
      const res = await post('/v1/auth/verify-email', ip, { token: `guess-${i}` })
      expect(res.status).toBe(400)
      expectErrorEnvelope(await res.json(), 'invalid_token')
    }
    await expectThrottled(await post('/v1/auth/verify-email', ip, { token: 'guess' }))
  })
})
