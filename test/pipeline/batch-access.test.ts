import { describe, expect, it } from 'vitest'
import { call, callJson, createKey, expectErrorEnvelope, putOnPlan, signUp } from '../support/api'
import { createBatch, items, waitForStatus } from '../support/batches'

describe('batch access and quotas', () => {
  it('answers 404 to another tenant on every batch route', async () => {
    const a = await signUp()
    const b = await signUp()
    const batch = await createBatch(a.accessToken, { task: 'seo_meta', items: items(5) })
    for (const path of ['', '/results', '/results?format=csv', '/errors', '/events']) {
      const res = await call(`/v1/batches/${batch.id}${path}`, { token: b.accessToken })
      expect(res.status, path).toBe(404)
      expectErrorEnvelope(await res.json(), 'not_found')
    }
    for (const action of ['cancel', 'pause', 'resume', 'retry']) {
      await callJson(`/v1/batches/${batch.id}/${action}`, 404, { method: 'POST', token: b.accessToken })
    }
    expect((await callJson('/v1/batches', 200, { token: b.accessToken })).data).toHaveLength(0)
    await waitForStatus(a.accessToken, batch.id)
  })

  it('lets a read-only key read batches but not create them', async () => {
    const owner = await signUp()
    const { key } = await createKey(owner.accessToken, ['read'])
    await callJson('/v1/batches', 200, { token: key })
    await callJson('/v1/batches', 403, {
      method: 'POST',
      token: key,
      json: { task: 'seo_meta', items: items(1) },
    })
  })

  it('refuses a batch over the concurrent-batch limit, and admits again once one ends', async () => {
    const owner = await signUp()
    await putOnPlan(owner.tenantId, {
      id: 'one-at-a-time',
      tenantRequests: 1000,
      keyRequests: 1000,
      windowSeconds: 60,
      concurrentBatches: 1,
      monthlyTasks: 30,
      concurrentTasks: 20,
    })
    const first = await createBatch(owner.accessToken, { task: 'seo_meta', items: items(10) })
    await callJson(`/v1/batches/${first.id}/pause`, 200, { method: 'POST', token: owner.accessToken })
    const refused = await callJson('/v1/batches', 429, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', items: items(1) },
    })
    expectErrorEnvelope(refused, 'concurrent_batches_exceeded')
    await callJson(`/v1/batches/${first.id}/cancel`, 200, { method: 'POST', token: owner.accessToken })
    await waitForStatus(owner.accessToken, first.id, ['cancelled'])

    const overQuota = await callJson('/v1/batches', 429, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', items: items(25) },
    })
    expectErrorEnvelope(overQuota, 'monthly_quota_exceeded')
    expect(overQuota.error.message).toContain('20 of the plan')
    const second = await createBatch(owner.accessToken, { task: 'seo_meta', items: items(20) })
    await waitForStatus(owner.accessToken, second.id)
  })

  it('streams progress as Server-Sent Events until the batch is done', async () => {
    const owner = await signUp()
    const batch = await createBatch(owner.accessToken, { task: 'product_description', items: items(100) })
    const res = await call(`/v1/batches/${batch.id}/events?interval_ms=1000`, { token: owner.accessToken })
    expect(res.headers.get('Content-Type')).toContain('text/event-stream')
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((block) => ({
        event: block.match(/^event: (.*)$/m)?.[1],
        data: JSON.parse(block.match(/^data: (.*)$/m)?.[1] ?? 'null'),
      }))
    const last = events.at(-1)!
    expect(last.event).toBe('done')
    expect(last.data).toMatchObject({
      status: 'completed',
      request_counts: { total: 100, completed: 100, failed: 0 },
    })
    for (const event of events.slice(0, -1)) expect(event.event).toBe('progress')
  })

  it('retries only failed tasks and keeps partial results after a cancel', async () => {
    const owner = await signUp()
    const batch = await createBatch(owner.accessToken, { task: 'seo_meta', items: items(300) })
    await callJson(`/v1/batches/${batch.id}/cancel`, 200, { method: 'POST', token: owner.accessToken })
    const cancelled = await waitForStatus(owner.accessToken, batch.id, ['cancelled'])
    const counts = cancelled.request_counts
    expect(counts.completed + counts.failed).toBe(300)
    expect(counts.failed).toBeGreaterThan(0)
    const partial = (
      await (await call(`/v1/batches/${batch.id}/results`, { token: owner.accessToken })).text()
    )
      .trim()
      .split('\n')
    expect(partial).toHaveLength(300)
    expect(partial.filter((line) => line.includes('"cancelled"'))).toHaveLength(counts.failed)

    await callJson(`/v1/batches/${batch.id}/retry`, 200, { method: 'POST', token: owner.accessToken })
    const retried = await waitForStatus(owner.accessToken, batch.id)
    expect(retried.request_counts).toEqual({ total: 300, completed: 300, failed: 0, needs_review: 0 })
    await callJson(`/v1/batches/${batch.id}/retry`, 409, { method: 'POST', token: owner.accessToken })
  })
})
