// The webhooks API: endpoints per tenant, secrets shown once and encrypted at rest, Slack
// endpoints limited to batch-end events, scopes, and the retry schedule's arithmetic.
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '../../shared/db/client'
import { webhookEndpoints } from '../../shared/db/schema'
import {
  MAX_DELIVERY_ATTEMPTS,
  parseRetryAfter,
  retryDelaySeconds,
} from '../../workers/webhooks/retry-schedule'
import { type Body, callJson, createKey, expectErrorEnvelope, signUp } from '../support/api'
import { createEndpoint, webhooksEnv } from './support'

describe('webhook endpoints API', () => {
  it('shows the whsec_ secret once, stores it encrypted, and never returns it again', async () => {
    const { accessToken } = await signUp()
    const created = await createEndpoint(accessToken, { url: 'https://example.com/hook', description: 'CRM' })
    expect(created).toMatchObject({
      object: 'webhook_endpoint',
      kind: 'standard',
      url: 'https://example.com/hook',
      enabled: true,
      events: [
        'batch.created',
        'batch.progress',
        'batch.completed',
        'batch.failed',
        'batch.cancelled',
        'task.needs_review',
      ],
    })
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)

    const stored = await db(webhooksEnv.DB).query.webhookEndpoints.findFirst({
      where: eq(webhookEndpoints.id, created.id),
    })
    expect(stored!.secret).toMatch(/^v1\./)
    expect(stored!.secret).not.toContain(created.secret.slice(6))
    const fetched = await callJson(`/v1/webhooks/${created.id}`, 200, { token: accessToken })
    const listed = await callJson('/v1/webhooks', 200, { token: accessToken })
    expect(JSON.stringify([fetched, listed])).not.toContain(created.secret.slice(6))
    expect(fetched).not.toHaveProperty('secret')
    expect(listed.data.map((endpoint: Body) => endpoint.id)).toEqual([created.id])
  })

  it("answers 404 for another tenant's endpoint, on every route", async () => {
    const owner = await signUp()
    const other = await signUp('Other Co')
    const endpoint = await createEndpoint(owner.accessToken, { url: 'https://example.com/hook' })
    const token = other.accessToken
    await callJson(`/v1/webhooks/${endpoint.id}`, 404, { token })
    await callJson(`/v1/webhooks/${endpoint.id}`, 404, { method: 'PATCH', token, json: { enabled: false } })
    await callJson(`/v1/webhooks/${endpoint.id}/deliveries`, 404, { token })
    await callJson(`/v1/webhooks/${endpoint.id}/test`, 404, { method: 'POST', token })
    await callJson(`/v1/webhooks/${endpoint.id}/rotate-secret`, 404, { method: 'POST', token, json: {} })
    await callJson(`/v1/webhooks/${endpoint.id}`, 404, { method: 'DELETE', token })
    expect((await callJson('/v1/webhooks', 200, { token })).data).toEqual([])
    await callJson(`/v1/webhooks/${endpoint.id}`, 200, { token: owner.accessToken })
  })

  it('takes Slack endpoints without a secret, for the batch-end events only', async () => {
    const { accessToken } = await signUp()
    const slack = await createEndpoint(accessToken, {
      url: 'https://hooks.slack.com/services/T0/B0/x',
      kind: 'slack',
    })
    expect(slack).toMatchObject({
      kind: 'slack',
      secret: null,
      events: ['batch.completed', 'batch.failed', 'batch.cancelled'],
    })
    const refused = await callJson('/v1/webhooks', 400, {
      method: 'POST',
      token: accessToken,
      json: { url: 'https://hooks.slack.com/services/T0/B0/y', kind: 'slack', events: ['batch.progress'] },
    })
    expectErrorEnvelope(refused, 'validation_failed')
    const rotate = await callJson(`/v1/webhooks/${slack.id}/rotate-secret`, 409, {
      method: 'POST',
      token: accessToken,
      json: {},
    })
    expectErrorEnvelope(rotate, 'no_signing_secret')
  })

  it('needs the admin scope to manage endpoints and read to list them', async () => {
    const { accessToken } = await signUp()
    const reader = await createKey(accessToken, ['read'])
    await callJson('/v1/webhooks', 403, {
      method: 'POST',
      token: reader.key,
      json: { url: 'https://example.com/h' },
    })
    await callJson('/v1/webhooks', 200, { token: reader.key })
  })

  it('deletes an endpoint with its delivery log, and records each change in the audit log', async () => {
    const { accessToken } = await signUp()
    const endpoint = await createEndpoint(accessToken, { url: 'https://example.com/hook' })
    await callJson(`/v1/webhooks/${endpoint.id}`, 200, {
      method: 'PATCH',
      token: accessToken,
      json: { events: ['batch.failed'], enabled: false },
    })
    expect(await callJson(`/v1/webhooks/${endpoint.id}`, 200, { token: accessToken })).toMatchObject({
      events: ['batch.failed'],
      enabled: false,
      disabled_reason: 'manual',
    })
    await callJson(`/v1/webhooks/${endpoint.id}`, 200, { method: 'DELETE', token: accessToken })
    await callJson(`/v1/webhooks/${endpoint.id}`, 404, { token: accessToken })
    const audit = await callJson('/v1/audit-log', 200, { token: accessToken })
    expect(audit.data.map((entry: Body) => entry.action)).toEqual(
      expect.arrayContaining(['webhook.created', 'webhook.updated', 'webhook.deleted']),
    )
  })
})

describe('retry schedule', () => {
  it('grows from seconds to hours, with jitter of ±20 %', () => {
    const low = Array.from({ length: 8 }, (_, i) => retryDelaySeconds(i + 1, 0, () => 0)!)
    const high = Array.from({ length: 8 }, (_, i) => retryDelaySeconds(i + 1, 0, () => 1)!)
    expect(low).toEqual([4, 24, 96, 480, 1440, 2880, 5760, 11520])
    expect(high).toEqual([6, 36, 144, 720, 2160, 4320, 8640, 17280])
  })

  it('stops after the queue’s last delivery', () => {
    expect(MAX_DELIVERY_ATTEMPTS).toBe(9)
    expect(retryDelaySeconds(MAX_DELIVERY_ATTEMPTS)).toBeNull()
  })

  it('waits at least what Retry-After asks, up to the queue’s 12-hour limit', () => {
    expect(retryDelaySeconds(1, 120, () => 0.5)).toBe(120)
    expect(retryDelaySeconds(1, 10 * 86400, () => 0.5)).toBe(43_200)
    expect(parseRetryAfter('30')).toBe(30)
    expect(parseRetryAfter(new Date(Date.now() + 90_000).toUTCString())).toBeGreaterThanOrEqual(89)
    expect(parseRetryAfter('soon')).toBe(0)
  })
})
