// Runs a set of tasks that share a TaskRun: prepares each row's call, answers repeats from the
// tenant's response cache in one lookup, runs the rest with bounded concurrency, and stores new
// answers in the cache. Used by the queue consumer (a chunk) and by realtime calls (one row).

import type { CachedAnswer } from '../../durable-objects/response-cache'
import { responseCache } from '../../durable-objects/stubs'
import { mapWithConcurrency } from '../../shared/concurrency'
import type { TaskResult } from '../../shared/pipeline/messages'
import { type PreparedTask, prepareTask, runTask, type TaskItem, type TaskOutcome } from './execute-task'
import type { TaskRun } from './task-run'

/**
 * Provider calls in flight per chunk: a whole chunk (≤ 1,000 tasks) at once. How many run at once
 * overall is the tenant's concurrency, which sizes the batch's dispatch window.
 */
export const TASKS_IN_PARALLEL = 1000

function isPrepared(value: PreparedTask | TaskResult): value is PreparedTask {
  return 'call' in value
}

function fromCache(prepared: PreparedTask, answer: CachedAnswer): TaskResult {
  return {
    seq: prepared.seq,
    status: 'succeeded',
    output: answer.output,
    usage: { input_tokens: 0, output_tokens: 0 },
    cost_usd: 0,
    provider: answer.provider,
    model: answer.model,
    cached: true,
  }
}

function logCacheFailure(tenantId: string, error: unknown) {
  console.error(
    JSON.stringify({ level: 'warn', tenant: tenantId, cache: 'unavailable', error: String(error) }),
  )
}

export async function runTasks(env: Env, run: TaskRun, items: TaskItem[]): Promise<TaskOutcome[]> {
  const prepared = await Promise.all(items.map((item) => prepareTask(item, run)))
  const keys = [
    ...new Set(prepared.flatMap((entry) => (isPrepared(entry) && entry.cacheKey ? [entry.cacheKey] : []))),
  ]
  const cache = responseCache(env, run.tenantId)
  const hits: Record<string, string> = keys.length
    ? await cache.lookup(keys).catch((error: unknown) => {
        logCacheFailure(run.tenantId, error)
        return {}
      })
    : {}

  // Identical rows in the same set run once; the others reuse that answer as a cache hit.
  const running = new Map<string, Promise<TaskOutcome>>()
  const outcomes = await mapWithConcurrency(prepared, TASKS_IN_PARALLEL, async (entry) => {
    if (!isPrepared(entry)) return entry
    if (!entry.cacheKey) return runTask(entry, run)
    const hit = hits[entry.cacheKey]
    if (hit) return fromCache(entry, JSON.parse(hit))
    const first = running.get(entry.cacheKey)
    if (!first) {
      const outcome = runTask(entry, run)
      running.set(entry.cacheKey, outcome)
      return outcome
    }
    const earlier = await first
    return earlier.status === 'succeeded' ? fromCache(entry, earlier) : runTask(entry, run)
  })

  const fresh = new Map<string, CachedAnswer>()
  outcomes.forEach((outcome, index) => {
    const entry = prepared[index]!
    if (outcome.status === 'succeeded' && !outcome.cached && isPrepared(entry) && entry.cacheKey)
      fresh.set(entry.cacheKey, { output: outcome.output, provider: outcome.provider, model: outcome.model })
  })
  if (fresh.size) {
    await cache
      .store([...fresh].map(([key, answer]) => ({ key, answer: JSON.stringify(answer) })))
      .catch((error: unknown) => logCacheFailure(run.tenantId, error))
  }
  return outcomes
}
