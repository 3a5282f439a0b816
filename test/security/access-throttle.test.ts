import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { throttleFor } from '../../workers/security/throttle'

const subject = () => `ip:test-${crypto.randomUUID()}`
const policy = { threshold: 3, baseSeconds: 60, maxSeconds: 600 }

describe('AccessThrottle', () => {
  it('admits exactly the limit, then refuses with a wait', async () => {
    const throttle = throttleFor(env, subject())
    const rule = { name: 'sign_in', limit: 5, windowSeconds: 60 }
    const decisions = []
    for (let i = 0; i < 7; i++) decisions.push(await throttle.take([rule]))
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false])
    expect(decisions[5]!.retryAfterSeconds).toBeGreaterThan(0)
  })

  it('refuses against any rule without spending from the others', async () => {
    const throttle = throttleFor(env, subject())
    const wide = { name: 'wide', limit: 100, windowSeconds: 60 }
    const narrow = { name: 'narrow', limit: 1, windowSeconds: 60 }
    expect((await throttle.take([wide, narrow])).allowed).toBe(true)
    expect((await throttle.take([wide, narrow])).allowed).toBe(false)
    for (let i = 0; i < 99; i++) expect((await throttle.take([wide])).allowed).toBe(true)
    expect((await throttle.take([wide])).allowed).toBe(false)
  })

  it('locks after the threshold of failures in a row, doubling each time, and a success clears it', async () => {
    const throttle = throttleFor(env, subject())
    const records = []
    for (let i = 0; i < 5; i++) records.push(await throttle.recordFailure(policy))
    expect(records.map((r) => r.lockedForSeconds)).toEqual([0, 0, 60, 120, 240])
    const locked = await throttle.lockout()
    expect(locked.allowed).toBe(false)
    expect(locked.retryAfterSeconds).toBeGreaterThan(200)
    await throttle.clearFailures()
    expect((await throttle.lockout()).allowed).toBe(true)
    expect((await throttle.recordFailure(policy)).lockedForSeconds).toBe(0)
  })

  it('peeks without spending: the last request is still admitted after any number of peeks', async () => {
    const throttle = throttleFor(env, subject())
    const rule = { name: 'failed_credentials', limit: 2, windowSeconds: 60 }
    await throttle.take([rule])
    for (let i = 0; i < 5; i++) expect((await throttle.peek([rule])).allowed).toBe(true)
    expect((await throttle.take([rule])).allowed).toBe(true)
    const spent = await throttle.peek([rule])
    expect(spent.allowed).toBe(false)
    expect(spent.retryAfterSeconds).toBeGreaterThan(0)
  })

  it('admits against the rules until locked, then refuses spending nothing, and reports failures', async () => {
    const throttle = throttleFor(env, subject())
    const rule = { name: 'sign_in', limit: 10, windowSeconds: 60 }
    expect(await throttle.admit([rule])).toEqual({ allowed: true, retryAfterSeconds: 0, failures: 0 })
    for (let i = 0; i < policy.threshold; i++) await throttle.recordFailure(policy)
    const locked = await throttle.admit([rule])
    expect(locked).toMatchObject({ allowed: false, failures: policy.threshold })
    expect(locked.retryAfterSeconds).toBeGreaterThan(0)
    await throttle.clearFailures()
    // Only the first admit spent: nine are left.
    for (let i = 0; i < 9; i++) expect((await throttle.admit([rule])).allowed).toBe(true)
    expect((await throttle.admit([rule])).allowed).toBe(false)
  })

  it('caps the lock at the policy maximum', async () => {
    const throttle = throttleFor(env, subject())
    let last = 0
    for (let i = 0; i < 12; i++) last = (await throttle.recordFailure(policy)).lockedForSeconds
    expect(last).toBe(600)
  })
})
