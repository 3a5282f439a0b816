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

export async function consumeTasks(batch: MessageBatch<unknown>, env: TaskConsumerEnv): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeChunk(message, env)))
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

async function consumeChunk(message: Message<unknown>, env: TaskConsumerEnv): Promise<void> {
  const parsed = chunkMessageSchema.safeParse(message.body)
  if (!parsed.success) {
    console.error(
      JSON.stringify({ level: 'error', queue: 'tasks', error: 'malformed message dropped', id: message.id }),
    )
    return message.ack()
  }
  const { tenantId, batchId, chunkId, dispatch } = parsed.data
  const coordinator = batchCoordinator(env, tenantId, batchId)
  try {
    // The batch object's typed answer; RPC typing loses it only because inputs hold `unknown` values.
    const lease = (await coordinator.beginChunk(chunkId, dispatch)) as ChunkLease | null
    const task = lease && findTask(lease.task)
    if (!lease || !task) return message.ack()

    const { items, invalid, names } = await readOpenRows(env, lease, task)
    const run = await createTaskRun(env, {
      tenantId,
      task,
      params: task.params.parse(lease.params),
      settings: lease.settings,
      delivery: message.attempts,
      inputsValidated: true,
    })
    const outcomes = items.length ? await runTasks(env, run, items) : []
    const lastDelivery = message.attempts >= MAX_DELIVERIES
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
          message: `${outcome.error.message} (gave up after ${message.attempts} attempts)`,
        }
        finished.push({ result: { seq: outcome.seq, status: 'failed', error }, invalid: false })
      } else {
        retrying++
        retryAfterMs = Math.max(retryAfterMs, outcome.retryAfterMs ?? 0)
      }
    }
    if (finished.length) {
      finished.sort((a, b) => a.result.seq - b.result.seq)
      const report = emptyReport(chunkId, lease.lease, partKey(tenantId, batchId, chunkId, lease.lease))
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
      await env.FILES.put(report.part, `${lines.join('\n')}\n`)
      const { recorded } = await coordinator.reportChunk(report)
      // Refused: the lease was lost to a newer delivery, which runs these tasks; this part is never read.
      if (recorded === 0) {
        await env.FILES.delete(report.part).catch(() => {})
        return message.ack()
      }
    }
    if (retrying > 0) message.retry({ delaySeconds: backoffSeconds(message.attempts, retryAfterMs) })
    else message.ack()
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        queue: 'tasks',
        batch: batchId,
        chunk: chunkId,
        error: String(error),
      }),
    )
    message.retry({ delaySeconds: backoffSeconds(message.attempts) })
  }
}
