// Amplification through endpoints: a tenant registers at most its plan's
// `max_webhook_endpoints`, one per URL, so one event fans out to a bounded number of POSTs.
import { describe, expect, it } from 'vitest'
import { callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createEndpoint } from './support'

// The free plan every sign-up starts on (migrations/0005_security.sql).
const FREE_MAX_ENDPOINTS = 5

describe('webhook endpoint limits', () => {
  it('refuses an endpoint past the plan’s limit with plan_limit_reached, and frees a place on delete', async () => {
    const { accessToken } = await signUp()
    const created = []
    for (let i = 0; i < FREE_MAX_ENDPOINTS; i++)
      created.push(await createEndpoint(accessToken, { url: `https://example.com/hook/${i}` }))
    const refused = await callJson('/v1/webhooks', 409, {
      method: 'POST',
      token: accessToken,
      json: { url: 'https://example.com/hook/extra' },
    })
    expectErrorEnvelope(refused, 'plan_limit_reached')
    expect(refused.error.details).toEqual({ limit: 'max_webhook_endpoints', max: FREE_MAX_ENDPOINTS })
    const listed = await callJson('/v1/webhooks', 200, { token: accessToken })
    expect(listed.data).toHaveLength(FREE_MAX_ENDPOINTS)

    // Existing endpoints keep working: they can be changed, and one deleted makes room.
    await callJson(`/v1/webhooks/${created[0].id}`, 200, {
      method: 'PATCH',
      token: accessToken,
      json: { description: 'still here' },
    })
    await callJson(`/v1/webhooks/${created[0].id}`, 200, { method: 'DELETE', token: accessToken })
    await createEndpoint(accessToken, { url: 'https://example.com/hook/extra' })
  })

  it('refuses a second endpoint with the same URL in one tenant, on create and on change', async () => {
    const { accessToken } = await signUp()
    const first = await createEndpoint(accessToken, { url: 'https://example.com/same' })
    const again = await callJson('/v1/webhooks', 409, {
      method: 'POST',
      token: accessToken,
      json: { url: 'https://EXAMPLE.com/same' },
    })
    expectErrorEnvelope(again, 'webhook_url_taken')
    const second = await createEndpoint(accessToken, { url: 'https://example.com/other' })
    const moved = await callJson(`/v1/webhooks/${second.id}`, 409, {
      method: 'PATCH',
      token: accessToken,
      json: { url: 'https://example.com/same' },
    })
    expectErrorEnvelope(moved, 'webhook_url_taken')
    await callJson(`/v1/webhooks/${first.id}`, 200, {
      method: 'PATCH',
      token: accessToken,
      json: { url: 'https://example.com/same' },
    })
    const other = await signUp('Other Co')
    await createEndpoint(other.accessToken, { url: 'https://example.com/same' })
  })
})
