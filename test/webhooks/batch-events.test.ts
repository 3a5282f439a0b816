// Batch lifecycle events end to end: a batch run through the API reaches a subscribed endpoint
// as batch.created, batch.progress and batch.completed, and a Slack endpoint as one message;
// flagged tasks of a chunk report arrive as one task.needs_review event; progress is throttled.
import { describe, expect, it } from 'vitest'
import { PROGRESS_EVENT_MS } from '../../durable-objects/batch/events'
import { type ChunkLease, TASK_STATE } from '../../shared/pipeline/chunks'
import type { WebhooksQueueMessage } from '../../shared/webhooks/messages'
import { type Body, signUp } from '../support/api'
import { createBatch, items, waitForStatus } from '../support/batches'
import {
  advanceClock,
  type DrivenBatch,
  dispatchedChunks,
  recordQueuedEvents,
  reportOf,
  startDrivenBatch,
} from '../support/coordinator'
import { createEndpoint, receiverBox } from './support'

const payloads = (requests: { body: string }[]): Body[] => requests.map((request) => JSON.parse(request.body))

/** The events of one type the batch object queued (see recordQueuedEvents). */
const queuedOfType = (queued: WebhooksQueueMessage[], type: string) =>
  queued.flatMap((message) => (message.kind === 'event' && message.type === type ? [message] : []))

type Result = { seq: number; status: 'succeeded' | 'needs_review'; customId?: string; violations?: string[] }

/** Reports `results` for the batch's first chunk, under a fresh lease, as a consumer would. */
async function report(batch: DrivenBatch, results: Result[]) {
  const [chunk] = await dispatchedChunks(batch.stub)
  const lease = (await batch.stub.beginChunk(chunk!.chunkId, chunk!.dispatch)) as unknown as ChunkLease
  const reported = reportOf(
    batch,
    chunk!.chunkId,
    lease.lease,
    results.map((result) => result.seq),
    {
      flagged: results.flatMap((result) =>
        result.customId ? [{ customId: result.customId, violations: result.violations ?? [] }] : [],
      ),
    },
  )
  reported.states = results.map((result) =>
    result.status === 'needs_review' ? TASK_STATE.needsReview : TASK_STATE.succeeded,
  )
  await batch.stub.reportChunk(reported)
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
    const batch = await startDrivenBatch(3, { tenantId })
    const queued = await recordQueuedEvents(batch.stub)
    await report(batch, [
      {
        seq: 1,
        status: 'needs_review',
        customId: 'sku-1',
        violations: ['title is 72 characters; the limit is 60'],
      },
      { seq: 2, status: 'succeeded' },
      {
        seq: 3,
        status: 'needs_review',
        customId: 'sku-3',
        violations: ['description is 171 characters; the limit is 160'],
      },
    ])

    const [review] = payloads(await box.waitFor(1))
    expect(review).toMatchObject({
      type: 'task.needs_review',
      data: {
        batch_id: batch.batchId,
        task: 'seo_meta',
        tasks: [
          { custom_id: 'sku-1', violations: ['title is 72 characters; the limit is 60'] },
          { custom_id: 'sku-3', violations: ['description is 171 characters; the limit is 160'] },
        ],
      },
    })
    expect(queuedOfType(queued, 'task.needs_review')).toHaveLength(1)
  })

  it(`sends batch.progress at most once per ${PROGRESS_EVENT_MS / 1000} s per batch`, async () => {
    const { tenantId, accessToken } = await signUp()
    const box = receiverBox('progress')
    await createEndpoint(accessToken, { url: box.url, events: ['batch.progress'] })
    const batch = await startDrivenBatch(3, { tenantId })
    const queued = await recordQueuedEvents(batch.stub)
    const succeeded = (seq: number): Result => ({ seq, status: 'succeeded' })
    await report(batch, [succeeded(1)])
    await report(batch, [succeeded(2)])
    await advanceClock(batch.stub, PROGRESS_EVENT_MS + 1)
    await report(batch, [succeeded(3)])
    const progress = queuedOfType(queued, 'batch.progress')
    expect(progress.map((event) => (event.data.request_counts as Body).completed)).toEqual([1, 3])
    const received = payloads(await box.waitFor(2))
    expect(received.map((payload) => payload.data.request_counts.completed).sort()).toEqual([1, 3])
  })
})
