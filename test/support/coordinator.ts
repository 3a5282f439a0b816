// Drives one batch coordinator message by message: the batch gets a unique object id, so the
// background queue consumer (which finds coordinators by name) never touches it, and the test
// decides every delivery through an env whose BATCHES namespace resolves to that object.
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
} from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { BatchCoordinator, StartInput } from '../../durable-objects/batch-coordinator'
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
  await stub.start({
    tenantId,
    batchId,
    task: 'seo_meta',
    params: {},
    settings: options.settings ?? SIMULATED_SETTINGS,
    expected: count,
    source: 'inline',
    items: Array.from({ length: count }, (_, i) => ({
      custom_id: `t${i + 1}`,
      input: { title: `Page ${i + 1}` },
    })),
  })
  // The first alarm dispatches the first window of chunks.
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

/** Delivers one chunk message to the tasks consumer, as the queue would on delivery `attempts`. */
export async function deliverChunk(
  routed: Env,
  body: { tenantId: string; batchId: string; chunkId: number },
  attempts = 1,
  extraEnv: Record<string, string> = {},
) {
  const batch = createMessageBatch('ia-bulk-tasks', [
    { id: `m-${body.chunkId}-${attempts}`, timestamp: new Date(), attempts, body },
  ])
  const ctx = createExecutionContext()
  await consumeTasks(batch, { ...routed, ...extraEnv } as Env)
  return getQueueResult(batch, ctx)
}

/** Ids of the batch's chunks, oldest first. */
export async function chunkIds(stub: DurableObjectStub<BatchCoordinator>) {
  return runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ id: number }>('SELECT id FROM chunks ORDER BY id')
      .toArray()
      .map((row) => row.id),
  )
}
