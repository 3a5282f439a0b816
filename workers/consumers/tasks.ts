// The `tasks` queue consumer: runs each chunk's open tasks (see run-tasks.ts) and reports them to
// the batch in one call. Transient failures (429, 5xx, timeouts) go back on the queue with
// exponential backoff and jitter; on the last delivery they are recorded as failed. An unexpected error retries the whole
// message: results are recorded idempotently, so nothing counts twice.
import { backoffSeconds } from '../../shared/pipeline/backoff'
import {
  type ChunkWork,
  chunkMessageSchema,
  MAX_DELIVERIES,
  type RecordedResult,
} from '../../shared/pipeline/messages'
import { toRecorded } from '../../shared/pipeline/result-line'
import { findTask } from '../../shared/tasks'
import { batchCoordinator } from '../pipeline/coordinators'
import { runTasks } from '../pipeline/run-tasks'
import { createTaskRun, type TaskRunEnv } from '../pipeline/task-run'

export type TaskConsumerEnv = Env & TaskRunEnv

export async function consumeTasks(batch: MessageBatch<unknown>, env: TaskConsumerEnv): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeChunk(message, env)))
}

async function consumeChunk(message: Message<unknown>, env: TaskConsumerEnv): Promise<void> {
  const parsed = chunkMessageSchema.safeParse(message.body)
  if (!parsed.success) {
    console.error(
      JSON.stringify({ level: 'error', queue: 'tasks', error: 'malformed message dropped', id: message.id }),
    )
    return message.ack()
  }
  const { tenantId, batchId, chunkId } = parsed.data
  const coordinator = batchCoordinator(env, tenantId, batchId)
  try {
    // The batch object's typed answer; RPC typing loses it only because inputs hold `unknown` values.
    const work = (await coordinator.beginChunk(chunkId)) as ChunkWork | null
    const task = work && findTask(work.task)
    if (!work || !task || work.items.length === 0) return message.ack()

    const run = await createTaskRun(env, {
      tenantId,
      task,
      params: task.params.parse(work.params),
      settings: work.settings,
      delivery: message.attempts,
      inputsValidated: true,
    })
    const outcomes = await runTasks(env, run, work.items)
    const lastDelivery = message.attempts >= MAX_DELIVERIES
    const customIds = new Map(work.items.map((item) => [item.seq, item.customId]))
    const results: RecordedResult[] = []
    let retryAfterMs = 0
    for (const outcome of outcomes) {
      const customId = customIds.get(outcome.seq)!
      if (outcome.status !== 'retry') results.push(toRecorded(outcome, customId))
      else if (lastDelivery) {
        const error = {
          code: outcome.error.code,
          message: `${outcome.error.message} (gave up after ${message.attempts} attempts)`,
        }
        results.push(toRecorded({ seq: outcome.seq, status: 'failed', error }, customId))
      } else retryAfterMs = Math.max(retryAfterMs, outcome.retryAfterMs ?? 0)
    }
    if (results.length) await coordinator.reportChunk({ chunkId, results })
    if (results.length < outcomes.length)
      message.retry({ delaySeconds: backoffSeconds(message.attempts, retryAfterMs) })
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
