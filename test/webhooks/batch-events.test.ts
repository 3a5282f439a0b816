// Batch lifecycle events end to end: a batch run through the API reaches a subscribed endpoint
// as batch.created, batch.progress and batch.completed, and a Slack endpoint as one message;
// flagged tasks of a chunk report arrive as one task.needs_review event; progress is throttled.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { emitChunkEvents, PROGRESS_EVENT_MS } from '../../workers/webhooks/batch-events'
import { type Body, signUp } from '../support/api'
import { createBatch, items, SIMULATED_SETTINGS, waitForStatus } from '../support/batches'
import { createEndpoint, receiverBox, webhooksEnv } from './support'

const payloads = (requests: { body: string }[]): Body[] => requests.map((request) => JSON.parse(request.body))

async function startCoordinator(tenantId: string, batchId: string) {
  const stub = env.BATCHES.get(env.BATCHES.newUniqueId())
  await stub.start({
    tenantId,
    batchId,
    task: 'seo_meta',
    params: {},
    settings: SIMULATED_SETTINGS,
    expected: 3,
    source: 'inline',
    items: ['sku-1', 'sku-2', 'sku-3'].map((custom_id) => ({
      custom_id,
      input: { title: `Page ${custom_id}` },
    })),
  })
  return stub
}

describe('batch events', () => {
  it('tells a subscribed endpoint that a batch was created, progressed and completed', async () => {
    const { accessToken } = await signUp()
    const box = receiverBox('lifecycle')
    await createEndpoint(accessToken, {
      url: box.url,
      events: ['batch.created', 'batch.progress', 'batch.completed'],
    })
    const batch = await createBatch(accessToken, { task: 'product_description', items: items(3) })
    await waitForStatus(accessToken, batch.id)

    const received = payloads(await box.waitFor(3))
    const types = received.map((payload) => payload.type)
    expect(types).toEqual(expect.arrayContaining(['batch.created', 'batch.progress', 'batch.completed']))
    const completed = received.find((payload) => payload.type === 'batch.completed')!
    expect(completed.data).toEqual({
      batch_id: batch.id,
      task: 'product_description',
      status: 'completed',
      request_counts: { total: 3, completed: 3, failed: 0, needs_review: 0 },
    })
    expect(Date.parse(completed.timestamp)).not.toBeNaN()
    expect(received.find((payload) => payload.type === 'batch.created')!.data).toMatchObject({
      batch_id: batch.id,
      request_counts: { total: 3 },
    })
  })

  it('posts a Slack message when a batch ends', async () => {
    const { accessToken } = await signUp()
    const box = receiverBox('slack')
    await createEndpoint(accessToken, { url: box.url, kind: 'slack' })
    const batch = await createBatch(accessToken, { task: 'seo_meta', items: items(2) })
    await waitForStatus(accessToken, batch.id)
    const [message] = await box.waitFor(1)
    expect(message!.headers['webhook-signature']).toBeUndefined()
    const { text } = JSON.parse(message!.body)
    expect(text).toContain(batch.id)
    expect(text).toContain('seo_meta')
    expect(text).toContain('completed: 2 of 2 tasks succeeded, 0 failed')
  })

  it('sends one task.needs_review event per chunk report, naming its tasks by custom_id', async () => {
    const { tenantId, accessToken } = await signUp()
    const box = receiverBox('review')
    await createEndpoint(accessToken, { url: box.url, events: ['task.needs_review'] })
    const stub = await startCoordinator(tenantId, 'bat_review_test')
    const results = [
      { seq: 1, status: 'needs_review', violations: ['title is 72 characters; the limit is 60'] },
      { seq: 2, status: 'succeeded' },
      { seq: 3, status: 'needs_review', violations: ['description is 171 characters; the limit is 160'] },
    ]
    const counts = { total: 3, completed: 3, failed: 0, needsReview: 2 }
    const facts = { tenantId, batchId: 'bat_review_test', task: 'seo_meta', status: 'in_progress' }
    await runInDurableObject(stub, (_instance, state) =>
      emitChunkEvents(webhooksEnv, state.storage, facts, results, counts),
    )

    const [review] = payloads(await box.waitFor(1))
    expect(review).toMatchObject({
      type: 'task.needs_review',
      data: {
        batch_id: 'bat_review_test',
        task: 'seo_meta',
        tasks: [
          { custom_id: 'sku-1', violations: ['title is 72 characters; the limit is 60'] },
          { custom_id: 'sku-3', violations: ['description is 171 characters; the limit is 160'] },
        ],
      },
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await box.received()).toHaveLength(1)
  })

  it(`sends batch.progress at most once per ${PROGRESS_EVENT_MS / 1000} s per batch`, async () => {
    const { tenantId, accessToken } = await signUp()
    const box = receiverBox('progress')
    await createEndpoint(accessToken, { url: box.url, events: ['batch.progress'] })
    const stub = await startCoordinator(tenantId, 'bat_progress_test')
    const facts = { tenantId, batchId: 'bat_progress_test', task: 'seo_meta', status: 'in_progress' }
    const report = (completed: number) =>
      runInDurableObject(stub, (_instance, state) =>
        emitChunkEvents(webhooksEnv, state.storage, facts, [], { total: 3, completed, failed: 0 }),
      )
    await report(1)
    await report(2)
    await runInDurableObject(stub, (_instance, state) =>
      state.storage.kv.put('webhooks.progress_event_at', Date.now() - PROGRESS_EVENT_MS - 1),
    )
    await report(3)
    const received = payloads(await box.waitFor(2))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(
      payloads(await box.received())
        .map((payload) => payload.data.request_counts.completed)
        .sort(),
    ).toEqual([1, 3])
    expect(received[0].type).toBe('batch.progress')
  })
})
