// The batch coordinator and the tasks consumer together, driven message by message: each test
// owns a coordinator with a unique id, so the background queue consumer (which finds coordinators
// by name) never touches it, and the test decides every delivery.
import { createMessageBatch, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { CHUNK_LEASE_MS } from '../../durable-objects/batch-coordinator'
import type { BatchRow } from '../../shared/db/schema'
import { MAX_BACKOFF_SECONDS } from '../../shared/pipeline/backoff'
import { type ChunkLease, TASK_STATE } from '../../shared/pipeline/chunks'
import { streamResults } from '../../workers/batches/result-stream'
import { consumeDeadTasks } from '../../workers/consumers/tasks-dead-letter'
import {
  advanceClock,
  chunkMessage,
  type DrivenBatch,
  deliverChunk as deliver,
  dispatchedChunks,
  readResults,
  reportOf,
  startDrivenBatch,
} from '../support/coordinator'

const startBatch = (count: number) => startDrivenBatch(count)

/** Delivers every dispatched chunk until the batch completes. */
async function runToEnd(batch: DrivenBatch, stub = batch.stub) {
  for (let round = 0; round < 40 && (await stub.summary()).status !== 'completed'; round++) {
    for (const chunk of await dispatchedChunks(stub)) await deliver(batch.routed, { ...batch, ...chunk })
    await runDurableObjectAlarm(stub)
  }
}

async function customIds(batch: DrivenBatch) {
  const page = await readResults(batch, { afterSeq: 0, limit: 1000 })
  return page.lines.map((line) => JSON.parse(line).custom_id as string)
}

/** The results file as a download streams it. */
async function resultsFile(batch: DrivenBatch) {
  const row = { tenantId: batch.tenantId, id: batch.batchId, task: 'seo_meta' } as BatchRow
  const text = await new Response(await streamResults(batch.routed, row, 'jsonl')).text()
  return text.trimEnd().split('\n')
}

async function fileCustomIds(batch: DrivenBatch) {
  return (await resultsFile(batch)).map((line) => JSON.parse(line).custom_id as string)
}

/** Lets chunks waiting out a backoff go: the object's clock passes the longest backoff, then the alarm runs. */
async function endBackoff(stub: DrivenBatch['stub']) {
  await advanceClock(stub, MAX_BACKOFF_SECONDS * 1000 + 1)
  await runDurableObjectAlarm(stub)
}

const all = (count: number) => Array.from({ length: count }, (_, i) => `t${i + 1}`)

describe('batch coordinator and tasks consumer', () => {
  it('goes on with the chunks its reports hand on, each run once, and sends the rest through the queue', async () => {
    const batch = await startBatch(200)
    const dispatched = await dispatchedChunks(batch.stub)
    // One delivery runs its chunk, then the next chunk each of its reports was handed, up to four.
    await deliver(batch.routed, { ...batch, ...dispatched[0]! }, 1, {}, 4)
    const size = dispatched[0]!.open
    expect((await batch.stub.summary()).completed).toBe(4 * size)
    await runToEnd(batch)
    expect(await batch.stub.summary()).toMatchObject({ status: 'completed', completed: 200, failed: 0 })
    expect(await fileCustomIds(batch)).toEqual(all(200))
  })

  it('records a redelivered chunk once', async () => {
    const batch = await startBatch(20)
    const { stub } = batch
    const [chunk] = await dispatchedChunks(stub)
    const first = await deliver(batch.routed, { ...batch, ...chunk! })
    expect(first.explicitAcks).toHaveLength(1)
    const after = await stub.summary()
    expect(after.completed).toBe(chunk!.open)
    const again = await deliver(batch.routed, { ...batch, ...chunk! }, 2)
    expect(again.explicitAcks).toHaveLength(1)
    expect(await stub.summary()).toEqual(after)
  })

  it('counts only the report of the latest lease: a delivery that lost its lease records nothing', async () => {
    const batch = await startBatch(10)
    const { stub } = batch
    const [chunk] = await dispatchedChunks(stub)
    const stale = (await stub.beginChunk(chunk!.chunkId, chunk!.dispatch)) as ChunkLease | null
    const current = (await stub.beginChunk(chunk!.chunkId, chunk!.dispatch)) as ChunkLease | null
    expect(current!.lease).toBeGreaterThan(stale!.lease)
    const late = reportOf(batch, chunk!.chunkId, stale!.lease, stale!.open)
    expect(await stub.reportChunk(late)).toMatchObject({ recorded: 0 })
    // Under the current lease the same report counts, once.
    const report = { ...late, lease: current!.lease }
    expect(await stub.reportChunk(report)).toMatchObject({ recorded: 10 })
    expect(await stub.reportChunk(report)).toMatchObject({ recorded: 0 })
    expect(await stub.summary()).toMatchObject({ completed: 10, failed: 0, inflight: 0 })
  })

  it('refuses a report naming a task that is not open in the chunk, recording none of it', async () => {
    const batch = await startBatch(10)
    const { stub } = batch
    const [chunk] = await dispatchedChunks(stub)
    const lease = (await stub.beginChunk(chunk!.chunkId, chunk!.dispatch)) as ChunkLease | null
    const refused = await stub.reportChunk(
      reportOf(batch, chunk!.chunkId, lease!.lease, [1, 999], { state: TASK_STATE.failed }),
    )
    expect((refused as { recorded: number }).recorded).toBe(0)
    expect(await stub.summary()).toMatchObject({ completed: 0, failed: 0, inflight: 10 })
    await deliver(batch.routed, { ...batch, ...chunk! })
    expect(await stub.summary()).toMatchObject({ completed: 10, failed: 0, inflight: 0 })
  })

  it('sends a chunk back to the queue when the consumer dies half way, and then records every task once', async () => {
    const batch = await startBatch(20)
    const { stub } = batch
    const [chunk] = await dispatchedChunks(stub)
    const before = await stub.summary()
    const crashed = await deliver(batch.routed, { ...batch, ...chunk! }, 1, {
      SIMULATED_FAILURES: 'crash:0.5',
    })
    expect(crashed.explicitAcks).toHaveLength(1)
    expect((await stub.summary()).completed).toBe(before.completed)
    // Back in the window after its backoff, dispatched under a new number: the old message is stale now.
    expect(await dispatchedChunks(stub)).toEqual([])
    await endBackoff(stub)
    const [again] = await dispatchedChunks(stub)
    expect(again).toMatchObject({ chunkId: chunk!.chunkId, dispatch: chunk!.dispatch + 1 })
    await deliver(batch.routed, { ...batch, ...chunk! }, 2)
    expect((await stub.summary()).completed).toBe(before.completed)
    await deliver(batch.routed, { ...batch, ...again! })
    expect((await stub.summary()).completed - before.completed).toBe(chunk!.open)
  })

  it('sends transient provider failures back with backoff and records them once they succeed', async () => {
    const batch = await startBatch(20)
    const { stub } = batch
    const [chunk] = await dispatchedChunks(stub)
    await deliver(batch.routed, { ...batch, ...chunk! }, 1, { SIMULATED_FAILURES: '500:0.5' })
    const partial = await stub.summary()
    expect(partial.completed).toBeGreaterThan(0)
    expect(partial.completed).toBeLessThan(chunk!.open)
    await endBackoff(stub)
    const [again] = await dispatchedChunks(stub)
    expect(again).toMatchObject({
      chunkId: chunk!.chunkId,
      dispatch: chunk!.dispatch + 1,
      open: chunk!.open - partial.completed,
    })
    await deliver(batch.routed, { ...batch, ...again! }, 2)
    expect((await stub.summary()).completed).toBe(chunk!.open)
    // Two parts hold the chunk's lines; read back, each task appears once, in order.
    await runToEnd(batch)
    expect(await customIds(batch)).toEqual(all(20))
  })

  it('records transient failures as failed on the last delivery', async () => {
    const batch = await startBatch(10)
    const [chunk] = await dispatchedChunks(batch.stub)
    const last = await deliver(batch.routed, { ...batch, ...chunk! }, 6, { SIMULATED_FAILURES: '429:1' })
    expect(last.explicitAcks).toHaveLength(1)
    expect((await batch.stub.summary()).failed).toBe(10)
    const page = await readResults(batch, { afterSeq: 0, limit: 1, failedOnly: true })
    expect(JSON.parse(page.lines[0]!).error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('gave up after 6 runs of its chunk'),
    })
  })

  it('fails the tasks of a dead-lettered chunk with a reason, named by their custom_id', async () => {
    const batch = await startBatch(10)
    const [chunk] = await dispatchedChunks(batch.stub)
    const dead = createMessageBatch('ia-bulk-tasks-dlq', [
      { id: 'dead-1', timestamp: new Date(), attempts: 6, body: chunkMessage(batch, chunk!) },
    ])
    await consumeDeadTasks(dead, batch.routed)
    expect((await batch.stub.summary()).failed).toBe(10)
    const page = await readResults(batch, { afterSeq: 0, limit: 100, failedOnly: true })
    expect(page.lines.map((line) => JSON.parse(line))).toEqual(
      all(10).map((custom_id) => ({
        custom_id,
        status: 'failed',
        error: expect.objectContaining({ code: 'delivery_failed' }),
      })),
    )
  })

  it('dispatches a chunk again when its lease runs out, and messages of the old dispatch count nothing', async () => {
    const batch = await startBatch(10)
    const { stub } = batch
    const [lost] = await dispatchedChunks(stub)
    await advanceClock(stub, CHUNK_LEASE_MS + 1)
    // One alarm hands the expired chunk back, the next sends it again.
    await runDurableObjectAlarm(stub)
    await runDurableObjectAlarm(stub)
    const [again] = await dispatchedChunks(stub)
    expect(again).toMatchObject({ chunkId: lost!.chunkId, dispatch: lost!.dispatch + 1 })

    const late = await deliver(batch.routed, { ...batch, ...lost! })
    expect(late.explicitAcks).toHaveLength(1)
    const dead = createMessageBatch('ia-bulk-tasks-dlq', [
      { id: 'dead-late', timestamp: new Date(), attempts: 6, body: chunkMessage(batch, lost!) },
    ])
    await consumeDeadTasks(dead, batch.routed)
    expect(await stub.summary()).toMatchObject({ completed: 0, failed: 0, inflight: 10 })

    await deliver(batch.routed, { ...batch, ...again! })
    expect(await stub.summary()).toMatchObject({ completed: 10, failed: 0, inflight: 0 })
    expect(await customIds(batch)).toEqual(all(10))
  })

  it('stores nothing for a batch id that never started, such as another tenant’s', async () => {
    const stub = env.BATCHES.get(env.BATCHES.idFromName(`ten_other/bat_never_${Date.now()}`))
    expect(await stub.present()).toBeNull()
    const tables = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'chunks'")
        .toArray(),
    )
    expect(tables).toEqual([])
  })

  it('keeps its state when evicted and restarted, and finishes with every task once in the file', async () => {
    const batch = await startBatch(30)
    const [first] = await dispatchedChunks(batch.stub)
    await deliver(batch.routed, { ...batch, ...first! })
    const before = await batch.stub.summary()
    await runInDurableObject(batch.stub, (_instance, state) => state.abort('evicted by the test')).catch(
      () => {},
    )
    const restarted = env.BATCHES.get(batch.id)
    expect(await restarted.summary()).toEqual(before)
    await runToEnd(batch, restarted)
    const done = await restarted.summary()
    expect(done).toMatchObject({ status: 'completed', total: 30, completed: 30, failed: 0 })
    expect(await fileCustomIds(batch)).toEqual(all(30))
  })

  it('cancels at once: undispatched and in-flight tasks fail as cancelled, results so far stay', async () => {
    const batch = await startBatch(200)
    const [first] = await dispatchedChunks(batch.stub)
    await deliver(batch.routed, { ...batch, ...first! })
    await batch.stub.cancel()
    expect(await batch.stub.summary()).toMatchObject({
      completed: first!.open,
      failed: 200 - first!.open,
      inflight: 0,
    })
    expect(await dispatchedChunks(batch.stub)).toEqual([])
    const page = await readResults(batch, { afterSeq: 0, limit: 1000 })
    const lines = page.lines.map((line) => JSON.parse(line))
    expect(lines.map((line) => line.custom_id)).toEqual(all(200))
    expect(lines.filter((line) => line.error?.code === 'cancelled')).toHaveLength(200 - first!.open)
  })

  it('pauses dispatch, hands undelivered chunks back, and resumes', async () => {
    const batch = await startBatch(100)
    const chunks = await dispatchedChunks(batch.stub)
    await batch.stub.pause()
    const dropped = await deliver(batch.routed, { ...batch, ...chunks[0]! })
    expect(dropped.explicitAcks).toHaveLength(1)
    expect((await batch.stub.summary()).completed).toBe(0)
    await batch.stub.resume()
    await runToEnd(batch)
    expect(await batch.stub.summary()).toMatchObject({ status: 'completed', completed: 100, failed: 0 })
  })

  it('retries only the failed tasks; the file then holds each task once, with its new result', async () => {
    const batch = await startBatch(20)
    const [first] = await dispatchedChunks(batch.stub)
    await deliver(batch.routed, { ...batch, ...first! }, 6, { SIMULATED_FAILURES: '500:1' })
    await runToEnd(batch)
    const failed = first!.open
    expect(await batch.stub.summary()).toMatchObject({ status: 'completed', completed: 20 - failed, failed })
    expect((await batch.stub.retryFailed()).retried).toBe(failed)
    await runDurableObjectAlarm(batch.stub)
    await runToEnd(batch)
    const done = await batch.stub.summary()
    expect(done).toMatchObject({ status: 'completed', completed: 20, failed: 0 })
    const lines = (await resultsFile(batch)).map((line) => JSON.parse(line))
    expect(lines.map((line) => line.custom_id)).toEqual(all(20))
    expect(lines.every((line) => line.status === 'succeeded')).toBe(true)
  })
})
