// A flood of badly signed hooks: refusals are budgeted per client address and per integration
// (429 once spent, nothing written), counted in one audit row per window rather than a row
// each, and never stop the real sender's signed deliveries.
import { env } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '../../shared/db/client'
import { auditLog } from '../../shared/db/schema'
import { THROTTLE_LIMITS } from '../../workers/security/throttle'
import { expectErrorEnvelope } from '../support/api'
import { postHook, shopifyIntegration, shopifySignature } from './support'

const APP_SECRET = 'shpss_test_app_secret_flood_0123456789'
const BODY = JSON.stringify({ id: 4242, title: 'Flood Sandal' })

const rejectedRows = (tenantId: string) =>
  db(env.DB)
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'hook.rejected')))

let addresses = 0
const freshIp = () => `198.51.100.${(++addresses % 250) + 1}`

async function shopifyHook() {
  const hook = await shopifyIntegration(APP_SECRET, { tasks: ['seo_meta'] })
  const send = (ip: string, headers: Record<string, string> = {}) =>
    hook.send(BODY, { 'CF-Connecting-IP': ip, 'X-Shopify-Hmac-Sha256': undefined, ...headers })
  return { ...hook, send }
}

describe('rejected hook floods', () => {
  it('answers 40 unsigned POSTs 401 up to the budget and 429 after, with one audit row counting them', async () => {
    const { tenantId, integration, send } = await shopifyHook()
    const ip = freshIp()
    const statuses: number[] = []
    for (let i = 0; i < 40; i++) {
      const res = await send(ip)
      statuses.push(res.status)
      const body = await res.json()
      if (res.status === 429) {
        expectErrorEnvelope(body, 'rate_limited')
        expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0)
      }
    }
    const admitted = statuses.filter((status) => status === 401).length
    expect(admitted).toBeGreaterThanOrEqual(THROTTLE_LIMITS.rejectedHooksPerIntegration.limit)
    expect(admitted).toBeLessThan(THROTTLE_LIMITS.rejectedHooksPerIntegration.limit + 2)
    expect(statuses.slice(admitted).every((status) => status === 429)).toBe(true)

    const rows = await rejectedRows(tenantId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ actor: 'system', target: integration.id, ip })
    expect(rows[0]!.details).toMatchObject({
      source: 'shopify',
      reason: 'missing_signature',
      count: admitted,
      window_seconds: 3600,
    })
  })

  it('budgets refusals per client address across integrations', async () => {
    const ip = freshIp()
    const hooks = await Promise.all([shopifyHook(), shopifyHook(), shopifyHook(), shopifyHook()])
    const statuses: number[] = []
    for (let round = 0; round < 10; round++)
      for (const hook of hooks) statuses.push((await hook.send(ip)).status)
    const admitted = statuses.filter((status) => status === 401).length
    expect(admitted).toBeGreaterThanOrEqual(THROTTLE_LIMITS.rejectedHooksPerIp.limit)
    expect(admitted).toBeLessThan(THROTTLE_LIMITS.rejectedHooksPerIp.limit + 2)
    expect(statuses.filter((status) => status === 429)).toHaveLength(40 - admitted)
  })

  it('still accepts the shop’s signed deliveries while its hook is flooded', async () => {
    const { send } = await shopifyHook()
    for (let i = 0; i < 15; i++) await send(freshIp(), { 'X-Shopify-Hmac-Sha256': 'forged' })
    const flooded = await send(freshIp(), { 'X-Shopify-Hmac-Sha256': 'forged' })
    expect(flooded.status).toBe(429)
    const signed = await send(freshIp(), { 'X-Shopify-Hmac-Sha256': shopifySignature(APP_SECRET, BODY) })
    expect(signed.status).toBe(200)
    expect(await signed.json()).toEqual({ received: true, duplicate: false })
  })

  it('budgets 404s for integrations that do not exist per client address', async () => {
    const ip = freshIp()
    const statuses: number[] = []
    for (let i = 0; i < THROTTLE_LIMITS.rejectedHooksPerIp.limit + 5; i++)
      statuses.push(
        (await postHook(`/hooks/generic/int_missing${i}`, '{}', { 'CF-Connecting-IP': ip })).status,
      )
    expect(statuses.slice(0, THROTTLE_LIMITS.rejectedHooksPerIp.limit).every((s) => s === 404)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
  })
})
