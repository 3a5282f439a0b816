// A batch's live progress as Server-Sent Events, at a bounded cost. Each stream holds one of the
// tenant's open-stream slots (the plan's `max_open_streams`), leased from its TenantCoordinator
// for the stream's lifetime plus a grace, so a slot an isolate never released expires by itself.
// The stream looks at the batch every `interval_ms` while progress changes and backs off while
// it does not (a paused batch ends up looked at twice a minute), and the server ends it: `done`
// when the batch ends, `reconnect` when its lifetime is up (EventSource reconnects by itself).
import type { SSEStreamingApi } from 'hono/streaming'
import type { PresentedBatch } from '../../durable-objects/batch/present'
import { tenantCoordinator } from '../../durable-objects/stubs'
import { isFinished } from '../../shared/db/schema'
import type { Principal } from '../identity/principal'
import { planLimitReached } from '../security/plan-limits'

/** How long past its lifetime a stream's slot outlives an isolate that never released it. */
export const STREAM_LEASE_GRACE_SECONDS = 30
/** Longest gap between looks while a running batch shows no change. */
const MAX_IDLE_MS = 5_000
/** Longest gap between looks at a paused batch, which changes only when someone resumes it. */
const MAX_PAUSED_MS = 30_000
/** A comment at least this often, so proxies do not close an idle stream. */
const KEEPALIVE_MS = 30_000
/** What `reconnect` asks EventSource to wait before it reconnects. */
const RECONNECT_RETRY_MS = 1_000
const SLOT_RETRY_AFTER_SECONDS = 10

export type StreamSlot = { release: () => Promise<void> }

/** Takes one of the tenant's stream slots for `lifetimeSeconds`, or throws 429 `plan_limit_reached`. */
export async function openStreamSlot(
  env: Env,
  principal: Principal,
  lifetimeSeconds: number,
): Promise<StreamSlot> {
  const coordinator = tenantCoordinator(env, principal.tenantId)
  const streamId = crypto.randomUUID()
  const max = principal.plan.maxOpenStreams
  const { opened } = await coordinator.openStream({
    streamId,
    limit: max,
    leaseSeconds: lifetimeSeconds + STREAM_LEASE_GRACE_SECONDS,
  })
  if (!opened)
    throw planLimitReached({
      limit: 'max_open_streams',
      max,
      what: 'open event streams; close one first',
      retryAfterSeconds: SLOT_RETRY_AFTER_SECONDS,
    })
  let released: Promise<void> | undefined
  return { release: () => (released ??= coordinator.closeStream(streamId)) }
}

type ProgressOptions = {
  load: () => Promise<PresentedBatch>
  intervalMs: number
  lifetimeMs: number
}

/** Writes `progress` events while the batch changes, then `done`, or `reconnect` at the lifetime. */
export async function streamProgress(stream: SSEStreamingApi, options: ProgressOptions): Promise<void> {
  const { load, intervalMs, lifetimeMs } = options
  const deadline = Date.now() + lifetimeMs
  const aborted = new Promise<void>((resolve) => stream.onAbort(resolve))
  let first: { at: number; done: number } | null = null
  let sequence = 0
  let shown = ''
  let wait = intervalMs
  let wroteAt = Date.now()
  while (!stream.aborted) {
    const batch = await load()
    const counts = batch.request_counts
    const done = counts.completed + counts.failed
    const now = Date.now()
    first ??= { at: now, done }
    const finished = isFinished(batch.status)
    const snapshot = JSON.stringify([batch.status, counts])
    if (snapshot !== shown || finished) {
      const elapsed = (now - first.at) / 1000
      const rate = elapsed > 0 ? (done - first.done) / elapsed : 0
      await stream.writeSSE({
        event: finished ? 'done' : 'progress',
        id: String(++sequence),
        data: JSON.stringify({
          status: batch.status,
          request_counts: counts,
          rate_per_second: Math.round(rate * 10) / 10,
          eta_seconds: rate > 0 && !finished ? Math.ceil((counts.total - done) / rate) : null,
        }),
      })
      shown = snapshot
      wait = intervalMs
      wroteAt = now
    } else {
      const cap = batch.status === 'paused' ? MAX_PAUSED_MS : MAX_IDLE_MS
      wait = Math.max(intervalMs, Math.min(wait * 2, cap))
      if (now - wroteAt >= KEEPALIVE_MS) {
        await stream.write(': keep-alive\n\n')
        wroteAt = now
      }
    }
    if (finished) return
    const left = deadline - Date.now()
    if (left <= 0) {
      await stream.writeSSE({
        event: 'reconnect',
        id: String(++sequence),
        retry: RECONNECT_RETRY_MS,
        data: JSON.stringify({ reason: 'max_lifetime', lifetime_seconds: Math.round(lifetimeMs / 1000) }),
      })
      return
    }
    await sleepUnlessAborted(Math.min(wait, left), aborted)
  }
}

async function sleepUnlessAborted(ms: number, aborted: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), aborted])
  clearTimeout(timer)
}
