// The `tasks` queue consumer: takes a lease on each chunk, reads the chunk's rows from the input
// file by byte range, runs its open tasks (see run-tasks.ts), writes their result lines to one R2
// part and reports them to the batch under the lease. Transient failures (429, 5xx, timeouts) go
// back on the queue with exponential backoff and jitter; on the last delivery they are recorded as
// failed. An unexpected error retries the whole message: only a report under the current lease
// counts, so nothing counts twice and a part no report names is never read.

import { batchCoordinator } from '../../durable-objects/stubs'
import { applyMapping, generatedName, splitCustomId, taskName } from '../../shared/ingest/rows'
import { backoffSeconds } from '../../shared/pipeline/backoff'
import { readChunkRecords } from '../../shared/pipeline/chunk-input'
import { type ChunkLease, partKey } from '../../shared/pipeline/chunks'
import {
  type ChunkRef,
  type ChunkReport,
  chunkMessageSchema,
  MAX_DELIVERIES,
  type TaskResult,
} from '../../shared/pipeline/messages'
import { reportEntry } from '../../shared/pipeline/result-line'
import { findTask } from '../../shared/tasks'
import { readRowInput } from '../../shared/tasks/row-input'
import type { TaskDefinition } from '../../shared/tasks/types'
import type { TaskItem } from '../pipeline/execute-task'
import { runTasks } from '../pipeline/run-tasks'
import { createTaskRun, type TaskRunEnv } from '../pipeline/task-run'

export type TaskConsumerEnv = Env & TaskRunEnv

function emptyReport(chunkId: number, lease: number, part: string): ChunkReport {
  const sums = { cacheHits: 0, costUsd: 0, usage: { input_tokens: 0, output_tokens: 0 } }
  return { chunkId, lease, part, seqs: [], states: [], sums, flagged: [] }
}

/** Chunks each chunk of a message may be followed by, taking the next from its report's answer. */
export const MAX_CHUNKS_PER_LANE = 8

export async function consumeTasks(
  batch: MessageBatch<unknown>,
  env: TaskConsumerEnv,
  options: { maxChunks?: number } = {},
): Promise<void> {
  const maxChunks = options.maxChunks ?? MAX_CHUNKS_PER_LANE
  await Promise.all(batch.messages.map((message) => consumeMessage(message, env, maxChunks)))
}

/** The lease's open rows: those whose input can run, and those failed here for their input. */
async function readOpenRows(env: Env, lease: ChunkLease, task: TaskDefinition) {
  const records = await readChunkRecords(env.FILES, lease.input)
  const items: TaskItem[] = []
  const invalid: TaskResult[] = []
  const names = new Map<number, string>()
  for (const seq of lease.open) {
    const record = records[seq - lease.firstSeq]
    const name = record ? taskName(record, seq) : generatedName(seq)
    names.set(seq, name)
    if (!record?.ok) {
      const reason = record ? record.error : 'the row is missing from the input file'
      invalid.push({
        seq,
        status: 'failed',
        error: { code: 'unparseable_row', message: `Row ${seq}: ${reason}` },
      })
      continue
    }
    const fields = applyMapping(splitCustomId(record.value).fields, lease.input.mapping)
    const read = readRowInput(task, lease.settings.template, fields)
    if (read.ok) items.push({ seq, customId: name, input: read.input as Record<string, unknown> })
    else
      invalid.push({
        seq,
        status: 'failed',
        error: { code: 'invalid_input', message: `Row ${seq}: ${read.message}` },
      })
  }
  return { items, invalid, names }
}

type LeaseRun = { retrying: number; retryAfterMs: number; next: ChunkLease | null }

/**
 * Runs one lease: reads its rows, runs them, writes the finished ones' lines to a part and
 * reports them. With `takeNext` the answer may lease the window's next chunk to this consumer.
 */
async function runLease(
  env: TaskConsumerEnv,
  batch: { tenantId: string; batchId: string },
  lease: ChunkLease,
  attempt: number,
  takeNext: boolean,
): Promise<LeaseRun> {
  const coordinator = batchCoordinator(env, batch.tenantId, batch.batchId)
  const task = findTask(lease.task)
  if (!task) throw new Error(`Unknown task type ${lease.task}.`)
  const { items, invalid, names } = await readOpenRows(env, lease, task)
  const run = await createTaskRun(env, {
    tenantId: batch.tenantId,
    task,
    params: task.params.parse(lease.params),
    settings: lease.settings,
    delivery: attempt,
    inputsValidated: true,
  })
  const outcomes = items.length ? await runTasks(env, run, items) : []
  const lastDelivery = attempt >= MAX_DELIVERIES
  const finished: { result: TaskResult; invalid: boolean }[] = invalid.map((result) => ({
    result,
    invalid: true,
  }))
  let retryAfterMs = 0
  let retrying = 0
  for (const outcome of outcomes) {
    if (outcome.status !== 'retry') finished.push({ result: outcome, invalid: false })
    else if (lastDelivery) {
      const error = {
        code: outcome.error.code,
        message: `${outcome.error.message} (gave up after ${attempt} attempts)`,
      }
      finished.push({ result: { seq: outcome.seq, status: 'failed', error }, invalid: false })
    } else {
      retrying++
      retryAfterMs = Math.max(retryAfterMs, outcome.retryAfterMs ?? 0)
    }
  }
  if (!finished.length) return { retrying, retryAfterMs, next: null }
  finished.sort((a, b) => a.result.seq - b.result.seq)
  const part = partKey(batch.tenantId, batch.batchId, lease.chunkId, lease.lease)
  const report = emptyReport(lease.chunkId, lease.lease, part)
  const lines: string[] = []
  for (const { result, invalid } of finished) {
    const entry = reportEntry(result, names.get(result.seq)!, { invalid })
    report.seqs.push(result.seq)
    report.states.push(entry.state)
    report.sums.costUsd += entry.costUsd
    report.sums.usage.input_tokens += entry.usage.input_tokens
    report.sums.usage.output_tokens += entry.usage.output_tokens
    if (entry.cached) report.sums.cacheHits++
    if (entry.flagged) report.flagged.push(entry.flagged)
    lines.push(entry.line)
  }
  await env.FILES.put(part, `${lines.join('\n')}\n`)
  const answer = (await coordinator.reportChunk(report, takeNext)) as {
    recorded: number
    next: ChunkLease | null
  }
  // Refused: the lease was lost to a newer delivery, which runs these tasks; this part is never read.
  if (answer.recorded === 0) {
    await env.FILES.delete(part).catch(() => {})
    return { retrying: 0, retryAfterMs: 0, next: null }
  }
  return { retrying, retryAfterMs, next: answer.next }
}

/** How a lane ended: whether its own chunk was dealt with, and a chunk it holds but has no turn left for. */
type LaneEnd = { settled: boolean; carried: ChunkLease | null }

/**
 * Runs one chunk of a message, then the chunks its reports hand on, up to `maxChunks`. A chunk
 * whose tasks must wait (transient failures) or whose run failed goes back to the queue through
 * deferChunks, with backoff. Not settled when even that could not be done for the message's own
 * chunk, and the message must be delivered again.
 */
async function runLane(
  env: TaskConsumerEnv,
  batch: { tenantId: string; batchId: string },
  ref: ChunkRef,
  attempts: number,
  maxChunks: number,
): Promise<LaneEnd> {
  const coordinator = batchCoordinator(env, batch.tenantId, batch.batchId)
  let lease: ChunkLease | null
  try {
    // The batch object's typed answer; RPC typing loses it only because inputs hold `unknown` values.
    lease = (await coordinator.beginChunk(ref.chunkId, ref.dispatch)) as ChunkLease | null
  } catch (error) {
    logFailure(batch.batchId, ref.chunkId, error)
    return { settled: false, carried: null }
  }
  for (let runs = 0; lease && runs < maxChunks; runs++) {
    const held: ChunkLease = lease
    lease = null
    // The message's own chunk counts its deliveries too; a chunk handed on counts its leases.
    const attempt = runs === 0 ? Math.max(attempts, held.lease) : held.lease
    try {
      const run = await runLease(env, batch, held, attempt, runs + 1 < maxChunks)
      // Tasks that must wait go back to the queue with backoff; the lane goes on with the next chunk.
      if (run.retrying > 0) await coordinator.deferChunks([held], backoffSeconds(attempt, run.retryAfterMs))
      lease = run.next
    } catch (error) {
      logFailure(batch.batchId, held.chunkId, error)
      // A chunk whose every run fails ends as failed, as a dead-lettered message would.
      const settle =
        attempt >= MAX_DELIVERIES
          ? coordinator.failChunk(held.chunkId, held.dispatch, {
              code: 'delivery_failed',
              message: `The task could not be processed after ${attempt} attempts of its chunk: ${String(error)}`,
            })
          : coordinator.deferChunks([held], backoffSeconds(attempt))
      const deferred = await settle.then(
        () => true,
        (deferError: unknown) => {
          logFailure(batch.batchId, held.chunkId, deferError)
          return false
        },
      )
      // A chunk handed on and not deferred waits for its lease to run out (CHUNK_LEASE_MS).
      if (!deferred && runs === 0) return { settled: false, carried: null }
    }
  }
  return { settled: true, carried: lease }
}

async function consumeMessage(
  message: Message<unknown>,
  env: TaskConsumerEnv,
  maxChunks: number,
): Promise<void> {
  const parsed = chunkMessageSchema.safeParse(message.body)
  if (!parsed.success) {
    console.error(
      JSON.stringify({ level: 'error', queue: 'tasks', error: 'malformed message dropped', id: message.id }),
    )
    return message.ack()
  }
  const { tenantId, batchId, chunks } = parsed.data
  const ends = await Promise.all(
    chunks.map((ref) => runLane(env, { tenantId, batchId }, ref, message.attempts, maxChunks)),
  )
  // Chunks the lanes hold without a turn left go back together, so they run side by side again.
  const carried = ends.flatMap((end) => (end.carried ? [end.carried] : []))
  if (carried.length) {
    await batchCoordinator(env, tenantId, batchId)
      .deferChunks(carried, 0)
      .catch((error: unknown) => logFailure(batchId, carried[0]!.chunkId, error))
  }
  // Chunks of the message that did run are stale on redelivery (their leases or dispatch moved on).
  if (ends.every((end) => end.settled)) message.ack()
  else message.retry({ delaySeconds: backoffSeconds(message.attempts) })
}

function logFailure(batchId: string, chunkId: number, error: unknown) {
  console.error(
    JSON.stringify({ level: 'error', queue: 'tasks', batch: batchId, chunk: chunkId, error: String(error) }),
  )
}
