// Amplification through live event streams: the server ends every stream after its lifetime
// with a `reconnect` event, a tenant holds at most its plan's `max_open_streams` (a slot frees
// when a stream closes, or when its lease runs out), polling backs off while nothing changes,
// and `interval_ms` has a floor.
import { env } from 'cloudflare:workers'
import { SSEStreamingApi } from 'hono/streaming'
import { describe, expect, it } from 'vitest'
import type { PresentedBatch } from '../../durable-objects/batch/present'
import { tenantCoordinator } from '../../durable-objects/stubs'
import { EVENTS_MIN_INTERVAL_MS } from '../../shared/schemas/batches'
import { streamProgress } from '../../workers/batches/progress-stream'
import { type Body, call, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createBatch, items } from '../support/batches'

// The free plan every sign-up starts on (migrations/0005_security.sql).
const FREE_MAX_STREAMS = 5

async function pausedBatch() {
  const owner = await signUp()
  const batch = await createBatch(owner.accessToken, { task: 'seo_meta', items: items(200) })
  await callJson(`/v1/batches/${batch.id}/pause`, 200, { method: 'POST', token: owner.accessToken })
  const open = (query = 'lifetime_seconds=60') =>
    call(`/v1/batches/${batch.id}/events?${query}`, { token: owner.accessToken })
  return { ...owner, batch, open }
}

function parseEvents(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block.trim() && !block.startsWith(':'))
    .map((block) => ({
      event: block.match(/^event: (.*)$/m)?.[1],
      retry: block.match(/^retry: (.*)$/m)?.[1],
      data: JSON.parse(block.match(/^data: (.*)$/m)?.[1] ?? 'null'),
    }))
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const openStreams = (tenantId: string) => tenantCoordinator(env, tenantId).openStreamCount()

describe('batch event streams', () => {
  it('ends a stream on a paused batch after its lifetime with a reconnect event, and frees its slot', async () => {
    const { tenantId, open } = await pausedBatch()
    const res = await open('lifetime_seconds=1')
    expect(res.status).toBe(200)
    // The body ends (a stream that outlived its lifetime would hold the test to its timeout).
    const events = parseEvents(await res.text())
    expect(events[0]).toMatchObject({ event: 'progress', data: { status: 'paused' } })
    expect(events.at(-1)).toMatchObject({
      event: 'reconnect',
      retry: '1000',
      data: { reason: 'max_lifetime', lifetime_seconds: 1 },
    })
    await eventually(async () => (await openStreams(tenantId)) === 0)
  })

  it('refuses a stream past the plan’s open streams with plan_limit_reached, and admits one when another closes', async () => {
    const { tenantId, open } = await pausedBatch()
    const streams: Response[] = []
    for (let i = 0; i < FREE_MAX_STREAMS; i++) {
      const res = await open()
      expect(res.status).toBe(200)
      streams.push(res)
    }
    expect(await openStreams(tenantId)).toBe(FREE_MAX_STREAMS)
    const refused = await open()
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0)
    const body: Body = await refused.json()
    expectErrorEnvelope(body, 'plan_limit_reached')
    expect(body.error.details).toEqual({ limit: 'max_open_streams', max: FREE_MAX_STREAMS })

    await streams.shift()!.body!.cancel()
    await eventually(async () => (await openStreams(tenantId)) < FREE_MAX_STREAMS)
    const admitted = await open()
    expect(admitted.status).toBe(200)
    streams.push(admitted)
    for (const stream of streams) await stream.body!.cancel()
    await eventually(async () => (await openStreams(tenantId)) === 0)
  })

  it('lets a lease that was never released expire, so a dead isolate cannot keep a slot', async () => {
    const coordinator = tenantCoordinator(env, `ten_lease_${crypto.randomUUID()}`)
    expect(await coordinator.openStream({ streamId: 'lost', limit: 1, leaseSeconds: 1 })).toEqual({
      opened: true,
      open: 1,
    })
    expect((await coordinator.openStream({ streamId: 'next', limit: 1, leaseSeconds: 60 })).opened).toBe(
      false,
    )
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect((await coordinator.openStream({ streamId: 'next', limit: 1, leaseSeconds: 60 })).opened).toBe(true)
    await coordinator.closeStream('next')
    await coordinator.closeStream('next')
    expect(await coordinator.openStreamCount()).toBe(0)
  })

  it('refuses an interval_ms below the floor', async () => {
    const { open } = await pausedBatch()
    const res = await open(`interval_ms=${EVENTS_MIN_INTERVAL_MS - 1}`)
    expect(res.status).toBe(400)
    expectErrorEnvelope(await res.json(), 'validation_failed')
    const floor = await open(`interval_ms=${EVENTS_MIN_INTERVAL_MS}&lifetime_seconds=1`)
    expect(floor.status).toBe(200)
    await floor.text()
  })

  it('backs off while a paused batch does not change, writing one progress event', async () => {
    let looks = 0
    const paused = {
      status: 'paused',
      request_counts: { total: 10, completed: 3, failed: 0, needs_review: 0 },
    } as PresentedBatch
    const { readable, writable } = new TransformStream()
    const stream = new SSEStreamingApi(writable, readable)
    const text = new Response(stream.responseReadable).text()
    await streamProgress(stream, {
      load: async () => {
        looks++
        return paused
      },
      intervalMs: 1000,
      lifetimeMs: 7_500,
    })
    await stream.close()
    // Polling every second would look 8 times; backing off (1, 2, 4 s…) looks at 0, 1, 3, 7 and 7.5 s.
    expect(looks).toBeLessThanOrEqual(5)
    const events = parseEvents(await text)
    expect(events.map((event) => event.event)).toEqual(['progress', 'reconnect'])
  })
})
