// Outbound delivery against a real HTTP receiver (Node, on 127.0.0.1): signatures that verify
// with the endpoint's secret, retries on a growing schedule with jitter, 410 and repeated
// failure disabling the endpoint with an audit entry, redirects and timeouts as failures, the
// delivery log, test sends and manual redelivery. Deliveries are driven message by message.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '../../shared/db/client'
import { webhookEndpoints, webhookMessages } from '../../shared/db/schema'
import { newId } from '../../shared/ids'
import { emitEvent, eventBody } from '../../shared/webhooks/events'
import worker from '../../workers/index'
import { consumeWebhooks } from '../../workers/webhooks/consumer'
import { utf8 } from '../../workers/webhooks/hmac'
import { sendAttempt } from '../../workers/webhooks/send-attempt'
import { verifyStandardWebhook } from '../../workers/webhooks/standard-signature'
import { type Body, callJson, signUp } from '../support/api'
import { asBatch, createEndpoint, handMadeMessage, receiverBox, webhooksEnv } from './support'

async function setup(events = ['batch.completed']) {
  const owner = await signUp()
  const box = receiverBox()
  const endpoint = await createEndpoint(owner.accessToken, { url: box.url, events })
  return { ...owner, box, endpoint }
}

async function storeMessage(tenantId: string, data: Record<string, unknown> = { batch_id: 'bat_x' }) {
  const id = newId('msg')
  const body = eventBody({ type: 'batch.completed', timestamp: new Date().toISOString(), data })
  await db(webhooksEnv.DB).insert(webhookMessages).values({ id, tenantId, type: 'batch.completed', body })
  return id
}

async function deliver(tenantId: string, endpointId: string, messageId: string, attempts: number) {
  const message = handMadeMessage(
    { kind: 'delivery', tenantId, endpointId, messageId, trigger: 'event' },
    attempts,
  )
  await consumeWebhooks(asBatch(message), webhooksEnv)
  return message
}

const getEndpoint = (token: string, id: string): Promise<Body> =>
  callJson(`/v1/webhooks/${id}`, 200, { token })
const deliveries = async (token: string, id: string): Promise<Body[]> =>
  (await callJson(`/v1/webhooks/${id}/deliveries`, 200, { token })).data

describe('webhook delivery', () => {
  it('delivers an emitted event, signed so that the endpoint secret verifies it', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    await emitEvent(webhooksEnv, tenantId, { type: 'batch.completed', data: { batch_id: 'bat_signed' } })
    const [request] = await box.waitFor(1)
    expect(request).toBeDefined()
    const headers = new Headers(request!.headers)
    expect(headers.get('content-type')).toBe('application/json')
    expect(headers.get('webhook-id')).toMatch(/^msg_/)
    expect(Math.abs(Number(headers.get('webhook-timestamp')) - Date.now() / 1000)).toBeLessThan(30)
    const verdict = await verifyStandardWebhook({
      secrets: [endpoint.secret],
      headers,
      body: utf8(request!.body),
      nowSeconds: Math.floor(Date.now() / 1000),
    })
    expect(verdict).toEqual({ ok: true })
    const payload = JSON.parse(request!.body)
    expect(payload).toMatchObject({ type: 'batch.completed', data: { batch_id: 'bat_signed' } })
    expect(request!.body).not.toContain(endpoint.secret)

    const [logged] = await deliveries(accessToken, endpoint.id)
    expect(logged).toMatchObject({ status: 'succeeded', response_status: 200, attempt: 1, trigger: 'event' })
    expect(logged.message_id).toBe(headers.get('webhook-id'))
  })

  it('retries failures on a growing, jittered schedule with the same webhook-id, then succeeds', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    await box.script([500, 503, 502, 200])
    const messageId = await storeMessage(tenantId)
    const bounds = [
      [4, 6],
      [24, 36],
      [96, 144],
    ]
    for (const [i, [low, high]] of bounds.entries()) {
      const message = await deliver(tenantId, endpoint.id, messageId, i + 1)
      expect(message.ack).not.toHaveBeenCalled()
      const delay = message.retry.mock.calls[0]![0]!.delaySeconds!
      expect(delay).toBeGreaterThanOrEqual(low!)
      expect(delay).toBeLessThanOrEqual(high!)
    }
    const last = await deliver(tenantId, endpoint.id, messageId, 4)
    expect(last.ack).toHaveBeenCalled()
    expect(last.retry).not.toHaveBeenCalled()

    const received = await box.received()
    expect(received.map((request) => request.headers['webhook-id'])).toEqual(Array(4).fill(messageId))
    const log = await deliveries(accessToken, endpoint.id)
    expect(log.map((entry) => [entry.attempt, entry.status, entry.response_status])).toEqual([
      [4, 'succeeded', 200],
      [3, 'failed', 502],
      [2, 'failed', 503],
      [1, 'failed', 500],
    ])
    expect(log[3].next_attempt_in).toBeGreaterThan(0)
    expect(log[3].error).toBe('Answered 500.')
    expect(await getEndpoint(accessToken, endpoint.id)).toMatchObject({
      consecutive_failures: 0,
      failing_since: null,
    })
  })

  it('disables the endpoint on 410 Gone, with an audit entry, and delivers nothing more to it', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    await box.script([410])
    const gone = await deliver(tenantId, endpoint.id, await storeMessage(tenantId), 1)
    expect(gone.ack).toHaveBeenCalled()
    expect(gone.retry).not.toHaveBeenCalled()
    expect(await getEndpoint(accessToken, endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'gone',
    })
    const audit = await callJson('/v1/audit-log', 200, { token: accessToken })
    expect(audit.data.find((entry: Body) => entry.action === 'webhook.disabled')).toMatchObject({
      actor: 'system',
      target: endpoint.id,
      details: { reason: 'gone' },
    })
    const after = await deliver(tenantId, endpoint.id, await storeMessage(tenantId), 1)
    expect(after.ack).toHaveBeenCalled()
    expect(await box.received()).toHaveLength(1)
  })

  it('disables the endpoint when five messages in a row use up every attempt', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    await box.script(Array(5).fill(500))
    for (let i = 1; i <= 5; i++) {
      const message = await deliver(tenantId, endpoint.id, await storeMessage(tenantId), 9)
      expect(message.ack).toHaveBeenCalled()
      const state = await getEndpoint(accessToken, endpoint.id)
      expect(state.consecutive_failures).toBe(i)
      expect(state.enabled).toBe(i < 5)
    }
    expect(await getEndpoint(accessToken, endpoint.id)).toMatchObject({ disabled_reason: 'failing' })
    const audit = await callJson('/v1/audit-log', 200, { token: accessToken })
    expect(audit.data.filter((entry: Body) => entry.action === 'webhook.disabled')).toHaveLength(1)

    const enabled = await callJson(`/v1/webhooks/${endpoint.id}`, 200, {
      method: 'PATCH',
      token: accessToken,
      json: { enabled: true },
    })
    expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, consecutive_failures: 0 })
  })

  it('counts a redirect as a failure and does not follow it', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    await box.script([302])
    const message = await deliver(tenantId, endpoint.id, await storeMessage(tenantId), 1)
    expect(message.retry).toHaveBeenCalledTimes(1)
    expect(await box.received()).toHaveLength(1)
    const [logged] = await deliveries(accessToken, endpoint.id)
    expect(logged).toMatchObject({ status: 'failed', response_status: 302 })
    expect(logged.error).toContain('redirects are not followed')
  })

  it('gives up on a receiver that does not answer in time', async () => {
    const { box, endpoint } = await setup()
    await box.script([200], 2000)
    const row = await db(webhooksEnv.DB).query.webhookEndpoints.findFirst({
      where: eq(webhookEndpoints.id, endpoint.id),
    })
    const result = await sendAttempt(
      webhooksEnv,
      row!,
      { id: 'msg_timeout', type: 'batch.completed', body: '{}' },
      { timeoutMs: 200 },
    )
    // The receiver would have answered 200 after 2 s: failing without a status means the wait was cut.
    expect(result).toMatchObject({ ok: false, status: null, error: 'No answer within 0.2 s.' })
  })

  it('refuses at delivery time a URL that no longer passes the guard, and disables the endpoint', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    await db(webhooksEnv.DB)
      .update(webhookEndpoints)
      .set({ url: 'http://10.1.2.3/hook' })
      .where(eq(webhookEndpoints.id, endpoint.id))
    const message = await deliver(tenantId, endpoint.id, await storeMessage(tenantId), 1)
    expect(message.ack).toHaveBeenCalled()
    expect(await box.received()).toHaveLength(0)
    expect(await getEndpoint(accessToken, endpoint.id)).toMatchObject({
      enabled: false,
      disabled_reason: 'url_refused',
    })
    const [logged] = await deliveries(accessToken, endpoint.id)
    expect(logged.error).toContain('10.0.0.0/8')
  })

  it('test-sends now, logs the attempt, and neither retries nor changes the endpoint health', async () => {
    const { accessToken, box, endpoint } = await setup()
    const ok = await callJson(`/v1/webhooks/${endpoint.id}/test`, 200, { method: 'POST', token: accessToken })
    expect(ok).toMatchObject({
      object: 'webhook_delivery',
      status: 'succeeded',
      trigger: 'test',
      event_type: 'webhook.test',
    })
    expect(JSON.parse((await box.received())[0]!.body)).toMatchObject({
      type: 'webhook.test',
      data: { endpoint_id: endpoint.id },
    })

    await box.script([500])
    const failed = await callJson(`/v1/webhooks/${endpoint.id}/test`, 200, {
      method: 'POST',
      token: accessToken,
    })
    expect(failed).toMatchObject({ status: 'failed', response_status: 500, next_attempt_in: null })
    expect(await getEndpoint(accessToken, endpoint.id)).toMatchObject({
      consecutive_failures: 0,
      failing_since: null,
    })
  })

  it('redelivers a logged message on request, with the same webhook-id', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    await box.script([500])
    const messageId = await storeMessage(tenantId)
    await deliver(tenantId, endpoint.id, messageId, 9)
    const [logged] = await deliveries(accessToken, endpoint.id)
    const queued = await callJson(`/v1/webhooks/${endpoint.id}/deliveries/${logged.id}/redeliver`, 202, {
      method: 'POST',
      token: accessToken,
    })
    expect(queued).toEqual({ object: 'webhook_redelivery', endpoint_id: endpoint.id, message_id: messageId })
    const received = await box.waitFor(2)
    expect(received.map((request) => request.headers['webhook-id'])).toEqual([messageId, messageId])
  })

  it('signs with both secrets during a rotation overlap, and with the new one only after', async () => {
    const { tenantId, accessToken, box, endpoint } = await setup()
    const rotated = await callJson(`/v1/webhooks/${endpoint.id}/rotate-secret`, 200, {
      method: 'POST',
      token: accessToken,
      json: { overlap_seconds: 3600 },
    })
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(endpoint.secret)
    expect(rotated.previous_secret_expires_at).toBeGreaterThan(Date.now() / 1000)
    await deliver(tenantId, endpoint.id, await storeMessage(tenantId), 1)
    const [during] = await box.received()
    const nowSeconds = Math.floor(Date.now() / 1000)
    const check = (secret: string, request = during!) =>
      verifyStandardWebhook({
        secrets: [secret],
        headers: new Headers(request.headers),
        body: utf8(request.body),
        nowSeconds,
      })
    expect(during!.headers['webhook-signature']!.split(' ')).toHaveLength(2)
    expect(await check(endpoint.secret)).toEqual({ ok: true })
    expect(await check(rotated.secret)).toEqual({ ok: true })

    const again = await callJson(`/v1/webhooks/${endpoint.id}/rotate-secret`, 200, {
      method: 'POST',
      token: accessToken,
      json: { overlap_seconds: 0 },
    })
    await deliver(tenantId, endpoint.id, await storeMessage(tenantId), 1)
    const after = (await box.received())[1]!
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1)
    expect(await check(again.secret, after)).toEqual({ ok: true })
    expect(await check(rotated.secret, after)).toEqual({ ok: false, reason: 'invalid_signature' })
  })

  it('counts a dead-lettered delivery against the endpoint and logs it', async () => {
    const { tenantId, accessToken, endpoint } = await setup()
    const messageId = await storeMessage(tenantId)
    const body = { kind: 'delivery', tenantId, endpointId: endpoint.id, messageId, trigger: 'event' }
    const batch = createMessageBatch('ia-bulk-webhooks-dlq', [
      { id: 'dead-1', timestamp: new Date(), attempts: 9, body },
    ])
    const ctx = createExecutionContext()
    await worker.queue(batch, webhooksEnv)
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['dead-1'])
    const [logged] = await deliveries(accessToken, endpoint.id)
    expect(logged).toMatchObject({ status: 'failed', message_id: messageId, attempt: 9 })
    expect(logged.error).toContain('Dead-lettered')
    expect(await getEndpoint(accessToken, endpoint.id)).toMatchObject({ consecutive_failures: 1 })
  })
})
