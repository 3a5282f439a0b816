// The batch coordinator and the tasks consumer together, driven message by message: each test
// owns a coordinator with a unique id, so the background queue consumer (which finds coordinators
// by name) never touches it, and the test decides every delivery.
import { createMessageBatch, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { toRecorded } from '../../shared/pipeline/result-line'
import { consumeDeadTasks } from '../../workers/consumers/tasks-dead-letter'
import { deliverChunk as deliver, chunkIds as openChunkIds, startDrivenBatch } from '../support/coordinator'

const startBatch = (count: number) => startDrivenBatch(count)

describe('batch coordinator and tasks consumer', () => {
  it('records a redelivered chunk once', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(20)
    const [chunkId] = await openChunkIds(stub)
    const first = await deliver(routed, { tenantId, batchId, chunkId: chunkId! })
    expect(first.explicitAcks).toHaveLength(1)
    const after = await stub.summary()
    await deliver(routed, { tenantId, batchId, chunkId: chunkId! }, 2)
    expect(await stub.summary()).toEqual(after)
    // Reporting the same results again, as a racing duplicate delivery would, records nothing.
    const replay = await stub.reportChunk({
      chunkId: chunkId!,
      results: [
        toRecorded({ seq: 1, status: 'failed', error: { code: 'x', message: 'late duplicate' } }, 'row-1'),
      ],
    })
    expect(replay.recorded).toBe(0)
    expect((await stub.summary()).failed).toBe(0)
  })

  it('records nothing of a report it cannot store whole, and records the chunk when it comes again', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(10)
    const [chunkId] = await openChunkIds(stub)
    // A line already stored for task 2 makes storing the report's lines fail after the task
    // states were written: those must roll back with it.
    const plant = (sql: string) =>
      runInDurableObject(stub, (_instance, state) => {
        state.storage.sql.exec(sql)
      })
    await plant(`INSERT INTO result_lines (seq, line) VALUES (2, '{}')`)
    const results = [1, 2].map((seq) =>
      toRecorded({ seq, status: 'failed', error: { code: 'x', message: 'y' } }, `t${seq}`),
    )
    const refused = await stub.reportChunk({ chunkId: chunkId!, results }).then(
      () => null,
      (error: unknown) => String(error),
    )
    expect(refused).toMatch(/UNIQUE constraint failed/)
    expect(await stub.summary()).toMatchObject({ completed: 0, failed: 0, inflight: 10 })

    await plant('DELETE FROM result_lines')
    await deliver(routed, { tenantId, batchId, chunkId: chunkId! })
    expect(await stub.summary()).toMatchObject({ completed: 10, failed: 0, inflight: 0 })
  })

  it('retries the whole message when the consumer dies half way, and then records every task once', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(20)
    const [chunkId] = await openChunkIds(stub)
    const before = await stub.summary()
    const crashed = await deliver(routed, { tenantId, batchId, chunkId: chunkId! }, 1, {
      SIMULATED_FAILURES: 'crash:0.5',
    })
    expect(crashed.retryMessages).toHaveLength(1)
    expect((await stub.summary()).completed).toBe(before.completed)
    await deliver(routed, { tenantId, batchId, chunkId: chunkId! }, 2)
    const after = await stub.summary()
    expect(after.completed - before.completed).toBe(10)
  })

  it('redelivers transient provider failures with backoff and records them once they succeed', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(20)
    const [chunkId] = await openChunkIds(stub)
    const flaky = await deliver(routed, { tenantId, batchId, chunkId: chunkId! }, 1, {
      SIMULATED_FAILURES: '500:0.5',
    })
    const partial = await stub.summary()
    expect(flaky.retryMessages).toHaveLength(1)
    expect(partial.completed).toBeGreaterThan(0)
    expect(partial.completed).toBeLessThan(10)
    await deliver(routed, { tenantId, batchId, chunkId: chunkId! }, 2)
    expect((await stub.summary()).completed).toBe(10)
  })

  it('records transient failures as failed on the last delivery', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(10)
    const [chunkId] = await openChunkIds(stub)
    const last = await deliver(routed, { tenantId, batchId, chunkId: chunkId! }, 6, {
      SIMULATED_FAILURES: '429:1',
    })
    expect(last.explicitAcks).toHaveLength(1)
    const summary = await stub.summary()
    expect(summary.failed).toBe(10)
    const page = await stub.readResults({ format: 'jsonl', afterSeq: 0, limit: 1, failedOnly: true })
    expect(JSON.parse(page.lines[0]!).error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('6 attempts'),
    })
  })

  it('fails the tasks of a dead-lettered chunk with a reason', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(10)
    const [chunkId] = await openChunkIds(stub)
    const batch = createMessageBatch('ia-bulk-tasks-dlq', [
      { id: 'dead-1', timestamp: new Date(), attempts: 6, body: { tenantId, batchId, chunkId: chunkId! } },
    ])
    await consumeDeadTasks(batch, routed)
    expect((await stub.summary()).failed).toBe(10)
  })

  it('sends a chunk again under a new id when its lease runs out, and a late report of the old one counts nothing', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(10)
    const [lost] = await openChunkIds(stub)
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('UPDATE chunks SET dispatched_at = 0')
    })
    // One alarm hands the expired chunk back, the next sends it again.
    await runDurableObjectAlarm(stub)
    await runDurableObjectAlarm(stub)
    const [again] = await openChunkIds(stub)
    expect(again).toBeDefined()
    expect(again).not.toBe(lost)

    const late = await deliver(routed, { tenantId, batchId, chunkId: lost! })
    expect(late.explicitAcks).toHaveLength(1)
    const dead = createMessageBatch('ia-bulk-tasks-dlq', [
      { id: 'dead-late', timestamp: new Date(), attempts: 6, body: { tenantId, batchId, chunkId: lost! } },
    ])
    await consumeDeadTasks(dead, routed)
    expect(await stub.summary()).toMatchObject({ completed: 0, failed: 0, inflight: 10 })

    await deliver(routed, { tenantId, batchId, chunkId: again! })
    expect(await stub.summary()).toMatchObject({ completed: 10, failed: 0, inflight: 0 })
    const page = await stub.readResults({ format: 'jsonl', afterSeq: 0, limit: 100 })
    expect(page.lines.map((line) => JSON.parse(line).custom_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `t${i + 1}`),
    )
  })

  it('stores nothing for a batch id that never started, such as another tenant’s', async () => {
    const stub = env.BATCHES.get(env.BATCHES.idFromName(`ten_other/bat_never_${Date.now()}`))
    expect(await stub.present()).toBeNull()
    const tables = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'tasks'")
        .toArray(),
    )
    expect(tables).toEqual([])
  })

  it('keeps its state when evicted and restarted, and finishes', async () => {
    const { stub, id, tenantId, batchId, routed } = await startBatch(30)
    const [first] = await openChunkIds(stub)
    await deliver(routed, { tenantId, batchId, chunkId: first! })
    const before = await stub.summary()
    await runInDurableObject(stub, (_instance, state) => state.abort('evicted by the test')).catch(() => {})
    const restarted = env.BATCHES.get(id)
    expect(await restarted.summary()).toEqual(before)
    for (let round = 0; round < 20 && !['completed'].includes((await restarted.summary()).status); round++) {
      for (const chunkId of await openChunkIds(restarted))
        await deliver(routed, { tenantId, batchId, chunkId })
      await new Promise((r) => setTimeout(r, 20))
    }
    const done = await restarted.summary()
    expect(done).toMatchObject({ status: 'completed', total: 30, completed: 30, failed: 0 })
    const page = await restarted.readResults({ format: 'jsonl', afterSeq: 0, limit: 100 })
    expect(new Set(page.lines.map((line) => JSON.parse(line).custom_id)).size).toBe(30)
  })

  it('cancels at once: undispatched and in-flight tasks fail as cancelled, results so far stay', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(200)
    const [first] = await openChunkIds(stub)
    await deliver(routed, { tenantId, batchId, chunkId: first! })
    await stub.cancel()
    const summary = await stub.summary()
    expect(summary.completed).toBe(10)
    expect(summary.failed).toBe(190)
    expect(summary.inflight).toBe(0)
    const [second] = await openChunkIds(stub)
    expect(second).toBeUndefined()
  })

  it('pauses dispatch, hands undelivered chunks back, and resumes', async () => {
    const { stub, tenantId, batchId, routed } = await startBatch(100)
    const chunks = await openChunkIds(stub)
    await stub.pause()
    const dropped = await deliver(routed, { tenantId, batchId, chunkId: chunks[0]! })
    expect(dropped.explicitAcks).toHaveLength(1)
    expect((await stub.summary()).completed).toBe(0)
    await stub.resume()
    for (let round = 0; round < 40 && (await stub.summary()).status !== 'completed'; round++) {
      for (const chunkId of await openChunkIds(stub)) await deliver(routed, { tenantId, batchId, chunkId })
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(await stub.summary()).toMatchObject({ status: 'completed', completed: 100, failed: 0 })
  })
})
