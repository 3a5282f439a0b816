// The `tasks` queue consumer: takes a lease on each chunk, reads the chunk's rows from the input
// file by byte range, runs its open tasks (see run-tasks.ts), writes their result lines to one R2
// part and reports them to the batch under the lease. Transient failures (429, 5xx, timeouts) go
// back on the queue with exponential backoff and jitter; on the last delivery they are recorded as
// failed. An unexpected error retries the whole message: only a report under the current lease
// counts, so nothing counts twice and a part no report names is never read.

import { batchCoordinator } from '../../durable-objects/stubs'
import { generatedName, readRecord, taskName } from '../../shared/ingest/rows'
import { backoffSeconds } from '../../shared/pipeline/backoff'
import { readChunkRecords } from '../../shared/pipeline/chunk-input'
import { type ChunkLease, partKey } from '../../shared/pipeline/chunks'
import {
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
    const name = record ? taskName(record, seq, lease.input.mapping) : generatedName(seq)
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
    const fields = readRecord(record.value, lease.input.mapping).input
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

type LeaseRun = { retrying: number; retryAfterMs: number; next: ChunkLease[] }

/**
 * Runs one lease: reads its rows, runs them, writes the finished ones' lines to a part and
 * reports them. With `takeNext` the answer may lease the window's next chunk to this consumer.
 */
async function runLease(
  env: TaskConsumerEnv,
  batch: { tenantId: string; batchId: string },
  lease: ChunkLease,
  attempt: number,
  takeNext: number,
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
        message: `${outcome.error.message} (gave up after ${attempt} runs of its chunk)`,
      }
      finished.push({ result: { seq: outcome.seq, status: 'failed', error }, invalid: false })
    } else {
      retrying++
      retryAfterMs = Math.max(retryAfterMs, outcome.retryAfterMs ?? 0)
    }
  }
  if (!finished.length) return { retrying, retryAfterMs, next: [] }
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
  const answer = (await coordinator.reportChunk(report, takeNext)) as { recorded: number; next: ChunkLease[] }
  // Refused: the lease was lost to a newer delivery, which runs these tasks; this part is never read.
  if (answer.recorded === 0) {
    await env.FILES.delete(part).catch(() => {})
    return { retrying: 0, retryAfterMs: 0, next: [] }
  }
  return { retrying, retryAfterMs, next: answer.next }
}

/** Lanes one invocation runs side by side at most: the message's chunks and those handed on. */
const MAX_LANES = 8

/**
 * The lanes of one invocation. Each runs a chunk, then a chunk its report hands on, up to
 * `maxChunks` turns; more chunks handed on start lanes of their own, up to MAX_LANES. A chunk
 * whose tasks must wait (transient failures) or whose run failed goes back to the batch's window
 * with backoff (deferChunks); one whose runs keep failing ends as failed at the last attempt.
 */
class Lanes {
  private readonly running: Promise<void>[] = []
  private active = 0
  /** A chunk of the message could not be dealt with: the message must be delivered again. */
  unsettled = false
  /** Chunks handed on that no lane had a turn left for. */
  readonly carried: ChunkLease[] = []
  private readonly coordinator

  constructor(
    private readonly env: TaskConsumerEnv,
    private readonly batch: { tenantId: string; batchId: string },
    private readonly attempts: number,
    private readonly maxChunks: number,
  ) {
    this.coordinator = batchCoordinator(env, batch.tenantId, batch.batchId)
  }

  start(lease: ChunkLease, ofMessage: boolean) {
    this.active++
    this.running.push(this.run(lease, ofMessage))
  }

  async settle() {
    while (this.running.length) await Promise.all(this.running.splice(0))
  }

  private async run(first: ChunkLease, ofMessage: boolean) {
    let lease: ChunkLease | null = first
    for (let turn = 0; lease && turn < this.maxChunks; turn++) {
      const held: ChunkLease = lease
      lease = null
      // The message's own chunk counts its deliveries too; a chunk handed on counts its leases.
      const attempt = turn === 0 && ofMessage ? Math.max(this.attempts, held.lease) : held.lease
      const takeNext = turn + 1 < this.maxChunks ? 1 + Math.max(0, MAX_LANES - this.active) : 0
      try {
        const run = await runLease(this.env, this.batch, held, attempt, takeNext)
        if (run.retrying > 0)
          await this.coordinator.deferChunks([held], backoffSeconds(attempt, run.retryAfterMs))
        const [next, ...more] = run.next
        for (const other of more) this.start(other, false)
        lease = next ?? null
      } catch (error) {
        logFailure(this.batch.batchId, held.chunkId, error)
        const settled = await this.giveBack(held, attempt, error)
        // A chunk handed on and not given back waits for its lease to run out (CHUNK_LEASE_MS).
        if (!settled && turn === 0 && ofMessage) this.unsettled = true
      }
    }
    if (lease) this.carried.push(lease)
    this.active--
  }

  /** A chunk whose run failed: back to the window with backoff, or failed at the last attempt. */
  private giveBack(held: ChunkLease, attempt: number, error: unknown): Promise<boolean> {
    const settle =
      attempt >= MAX_DELIVERIES
        ? this.coordinator.failChunk(held.chunkId, held.dispatch, {
            code: 'delivery_failed',
            message: `The task could not be processed after ${attempt} attempts of its chunk: ${String(error)}`,
          })
        : this.coordinator.deferChunks([held], backoffSeconds(attempt))
    return settle.then(
      () => true,
      (settleError: unknown) => {
        logFailure(this.batch.batchId, held.chunkId, settleError)
        return false
      },
    )
  }
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
  const coordinator = batchCoordinator(env, tenantId, batchId)
  const lanes = new Lanes(env, { tenantId, batchId }, message.attempts, maxChunks)
  await Promise.all(
    chunks.map(async (ref) => {
      try {
        // The batch object's typed answer; RPC typing loses it only because inputs hold `unknown` values.
        const lease = (await coordinator.beginChunk(ref.chunkId, ref.dispatch)) as ChunkLease | null
        if (lease) lanes.start(lease, true)
      } catch (error) {
        logFailure(batchId, ref.chunkId, error)
        lanes.unsettled = true
      }
    }),
  )
  await lanes.settle()
  // Chunks handed on without a turn left go back together, so they run side by side again.
  if (lanes.carried.length) {
    await coordinator
      .deferChunks(lanes.carried, 0)
      .catch((error: unknown) => logFailure(batchId, lanes.carried[0]!.chunkId, error))
  }
  // Chunks of the message that did run are stale on redelivery (their leases or dispatch moved on).
  if (lanes.unsettled) message.retry({ delaySeconds: backoffSeconds(message.attempts) })
  else message.ack()
}

function logFailure(batchId: string, chunkId: number, error: unknown) {
  console.error(
    JSON.stringify({ level: 'error', queue: 'tasks', batch: batchId, chunk: chunkId, error: String(error) }),
  )
}
