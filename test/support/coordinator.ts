// Drives one batch coordinator message by message: the batch gets a unique object id, so the
// background queue consumer (which finds coordinators by name) never touches it, and the test
// decides every delivery through an env whose BATCHES namespace resolves to that object.
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { BatchCoordinator, StartInput } from '../../durable-objects/batch-coordinator'
import { partsPrefix, TASK_STATE } from '../../shared/pipeline/chunks'
import type { ChunkReport } from '../../shared/pipeline/messages'
import { requireTask } from '../../shared/tasks'
import type { WebhooksQueueMessage } from '../../shared/webhooks/messages'
import { type ResultPageOptions, readResultPage } from '../../workers/batches/result-pages'
import { consumeTasks } from '../../workers/consumers/tasks'
import { SIMULATED_SETTINGS } from './batches'

let batches = 0

export type DrivenBatch = {
  id: DurableObjectId
  stub: DurableObjectStub<BatchCoordinator>
  tenantId: string
  batchId: string
  /** The env to deliver with: BATCHES resolves this batch's name to the test's object. */
  routed: Env
}

/** Starts an inline batch of `count` seo_meta rows and waits for its first window of chunks. */
export async function startDrivenBatch(
  count: number,
  options: { tenantId?: string; settings?: StartInput['settings'] } = {},
): Promise<DrivenBatch> {
  const id = env.BATCHES.newUniqueId()
  const stub = env.BATCHES.get(id)
  const batchId = `bat_test${++batches}_${Date.now()}`
  const tenantId = options.tenantId ?? `ten_coordinator_${batchId}`
  const key = `inputs/${tenantId}/${batchId}.jsonl`
  const rows = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ custom_id: `t${i + 1}`, title: `Page ${i + 1}` }),
  )
  await env.FILES.put(key, rows.map((row) => `${row}\n`).join(''))
  await stub.start({
    tenantId,
    batchId,
    task: 'seo_meta',
    params: {},
    settings: options.settings ?? SIMULATED_SETTINGS,
    expected: count,
    input: { key, format: 'jsonl', mapping: null },
  })
  // The first alarm ingests the file and dispatches the first window of chunks.
  await runDurableObjectAlarm(stub)
  for (let i = 0; i < 100 && (await stub.summary()).inflight === 0; i++)
    await new Promise((r) => setTimeout(r, 10))
  const routed = {
    ...env,
    BATCHES: {
      ...env.BATCHES,
      idFromName: () => id,
      get: (target: DurableObjectId) => env.BATCHES.get(target),
    },
  } as unknown as Env
  return { id, stub, tenantId, batchId, routed }
}

export type ChunkRef = { chunkId: number; dispatch: number }

/**
 * Delivers one chunk message to the tasks consumer, as the queue would on delivery `attempts`.
 * The consumer runs that chunk only, unless `maxChunks` lets it take the next ones its reports hand on.
 */
export async function deliverChunk(
  routed: Env,
  body: { tenantId: string; batchId: string } & ChunkRef,
  attempts = 1,
  extraEnv: Record<string, string> = {},
  maxChunks = 1,
) {
  const batch = createMessageBatch('ia-bulk-tasks', [
    { id: `m-${body.chunkId}-${attempts}`, timestamp: new Date(), attempts, body: chunkMessage(body, body) },
  ])
  const ctx = createExecutionContext()
  await consumeTasks(batch, { ...routed, ...extraEnv } as Env, { maxChunks })
  return getQueueResult(batch, ctx)
}

/** A chunk report as a consumer makes it, of `seqs` all in one state, under `lease`. */
export function reportOf(
  batch: { tenantId: string; batchId: string },
  chunkId: number,
  lease: number,
  seqs: number[],
  options: { state?: number; flagged?: ChunkReport['flagged']; part?: string } = {},
): ChunkReport {
  return {
    chunkId,
    lease,
    part: options.part ?? `${partsPrefix(batch.tenantId, batch.batchId)}${chunkId}-${lease}.jsonl`,
    seqs,
    states: seqs.map(() => options.state ?? TASK_STATE.succeeded),
    sums: { cacheHits: 0, costUsd: 0, usage: { input_tokens: 0, output_tokens: 0 } },
    flagged: options.flagged ?? [],
  }
}

/** The queue message of a chunk, as the batch object sends it. */
export function chunkMessage(batch: { tenantId: string; batchId: string }, chunk: ChunkRef) {
  return {
    tenantId: batch.tenantId,
    batchId: batch.batchId,
    chunks: [{ chunkId: chunk.chunkId, dispatch: chunk.dispatch }],
  }
}

/** The batch's dispatched chunks (id and dispatch number, as their messages carry), oldest first. */
export async function dispatchedChunks(
  stub: DurableObjectStub<BatchCoordinator>,
): Promise<(ChunkRef & { open: number })[]> {
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ id: number; dispatch: number; open: number }>(
        'SELECT id, dispatch, open FROM chunks WHERE dispatched = 1 ORDER BY id',
      )
      .toArray()
      .map((row) => ({ chunkId: row.id, dispatch: row.dispatch, open: row.open })),
  )
}

/** A page of the batch's results as the API reads them (lines from R2 through the batch object). */
export function readResults(
  batch: DrivenBatch,
  options: Omit<ResultPageOptions, 'format'> & { format?: 'jsonl' | 'csv' },
) {
  return readResultPage(
    batch.routed,
    { tenantId: batch.tenantId, batchId: batch.batchId, task: requireTask('seo_meta') },
    { format: 'jsonl', ...options },
  )
}

/**
 * Records every message the batch object puts on the webhooks queue from now on, still sending each.
 * The object queues an event before the RPC that caused it returns, so once that RPC has returned
 * the record is complete: "nothing more was emitted" is checked without waiting.
 */
export async function recordQueuedEvents(
  stub: DurableObjectStub<BatchCoordinator>,
): Promise<WebhooksQueueMessage[]> {
  const sent: WebhooksQueueMessage[] = []
  await runInDurableObject(stub, (instance) => {
    const object = instance as unknown as { env: Env }
    const queue = object.env.WEBHOOKS
    const recording: Queue<WebhooksQueueMessage> = {
      metrics: () => queue.metrics(),
      send: (message, options) => {
        sent.push(message)
        return queue.send(message, options)
      },
      sendBatch: (messages, options) => {
        sent.push(...[...messages].map((message) => message.body))
        return queue.sendBatch(messages, options)
      },
    }
    object.env = { ...object.env, WEBHOOKS: recording }
  })
  return sent
}

/**
 * Moves the batch object's clock forward by `ms`: the object reads time from its one `now()`, so
 * leases run out, backoffs end and throttles open without the test waiting or editing storage.
 */
export async function advanceClock(stub: DurableObjectStub<BatchCoordinator>, ms: number): Promise<void> {
  await runInDurableObject(stub, (instance) => {
    const object = instance as unknown as { now: () => number }
    const current = object.now.bind(object)
    object.now = () => current() + ms
  })
}
