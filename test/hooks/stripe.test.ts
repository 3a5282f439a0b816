// The Stripe hook: signed subscription events move the tenant named in their metadata between
// plans; stale, tampered and v0-only requests answer 401; an event id is processed once.
import { describe, expect, it } from 'vitest'
import { type Body, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { nowSeconds, postHook, stripeSignature, uniqueSuffix } from './support'

const SECRET = 'whsec_test_stripe_endpoint_secret'

function subscriptionEvent(type: string, status: string, metadata: Record<string, string>) {
  return JSON.stringify({
    id: `evt_${uniqueSuffix()}`,
    object: 'event',
    type,
    data: { object: { id: 'sub_123', object: 'subscription', status, metadata } },
  })
}

const send = (body: string, signature = stripeSignature(SECRET, nowSeconds(), body)) =>
  postHook('/hooks/stripe', body, { 'Content-Type': 'application/json', 'Stripe-Signature': signature })

const planOf = async (token: string) => (await callJson('/v1/tenant', 200, { token })).plan.id

describe('Stripe hook', () => {
  it('moves the tenant in the metadata to pro while subscribed, and back to free when it ends', async () => {
    const { tenantId, accessToken } = await signUp()
    expect(await planOf(accessToken)).toBe('free')
    const active = await send(
      subscriptionEvent('customer.subscription.updated', 'active', { tenant_id: tenantId }),
    )
    expect(await active.json()).toEqual({ received: true, duplicate: false })
    expect(await planOf(accessToken)).toBe('pro')
    await send(subscriptionEvent('customer.subscription.deleted', 'canceled', { tenant_id: tenantId }))
    expect(await planOf(accessToken)).toBe('free')
    const audit = await callJson('/v1/audit-log', 200, { token: accessToken })
    const changes = audit.data.filter((entry: Body) => entry.action === 'tenant.plan_changed')
    expect(changes.map((entry: Body) => entry.details.plan)).toEqual(['free', 'pro'])
    expect(changes[0].actor).toBe('stripe')
  })

  it('processes an event id once', async () => {
    const { tenantId, accessToken } = await signUp()
    const body = subscriptionEvent('customer.subscription.created', 'trialing', { tenant_id: tenantId })
    expect(await (await send(body)).json()).toEqual({ received: true, duplicate: false })
    expect(await (await send(body)).json()).toEqual({ received: true, duplicate: true })
    expect(await planOf(accessToken)).toBe('pro')
  })

  it('rejects a stale timestamp, a tampered body and a v0-only signature with 401', async () => {
    const { tenantId, accessToken } = await signUp()
    const body = subscriptionEvent('customer.subscription.updated', 'active', { tenant_id: tenantId })
    const stale = await send(body, stripeSignature(SECRET, nowSeconds() - 301, body))
    expect(stale.status).toBe(401)
    expectErrorEnvelope(await stale.json(), 'stale_timestamp')
    const tampered = await send(
      body.replace('active', 'trialing'),
      stripeSignature(SECRET, nowSeconds(), body),
    )
    expectErrorEnvelope(await tampered.json(), 'invalid_signature')
    const v0 = stripeSignature(SECRET, nowSeconds(), body).replace('v1=', 'v0=')
    expectErrorEnvelope(await (await send(body, v0)).json(), 'invalid_signature')
    expectErrorEnvelope(await (await send(body, '')).json(), 'missing_signature')
    expect(await planOf(accessToken)).toBe('free')
  })

  it('acknowledges but ignores other events and unknown tenants', async () => {
    const other = await send(subscriptionEvent('invoice.paid', 'active', {}))
    expect(await other.json()).toMatchObject({
      received: true,
      ignored: expect.stringContaining('invoice.paid'),
    })
    const unknown = await send(
      subscriptionEvent('customer.subscription.updated', 'active', { tenant_id: 'ten_nope' }),
    )
    expect(await unknown.json()).toMatchObject({ received: true, ignored: expect.stringContaining('tenant') })
  })
})
