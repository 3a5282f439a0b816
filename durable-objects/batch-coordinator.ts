// One per batch (named `{tenant_id}/{batch_id}`): cuts the input file into chunks in slices driven
// by alarms, dispatches chunks to the `tasks` queue through a window sized by the tenant's fair
// share, records each chunk's report under its lease (handing the consumer the window's next
// chunks), and writes the final counts to D1. Its storage (batch/store.ts) holds task states only:
// inputs stay in the uploaded file, result lines in the R2 parts consumers write, which downloads
// read chunk by chunk (batch/chunk-answers.ts shapes the leases and views they are read by).
import { DurableObject } from 'cloudflare:workers'
import { z } from 'zod'
import { isFinished } from '../shared/db/schema'
import { recordLimit } from '../shared/ingest/record-limit'
import type { ChunkLease, ChunkView } from '../shared/pipeline/chunks'
import {
  type ChunkRef,
  type ChunkReport,
  chunkRefSchema,
  chunkReportSchema,
  type TaskError,
  taskErrorSchema,
} from '../shared/pipeline/messages'
import { sendChunks } from '../shared/queues'
import { chunkLease, chunkViews } from './batch/chunk-answers'
import { batchFailure, billTenant, finalStatus, flushToD1 } from './batch/d1-sync'
import { emitBatchFinished, emitNeedsReview, emitProgress, PROGRESS_EVENT_MS } from './batch/events'
import { CANCELLED_ERROR, IngestError, ingestSlice } from './batch/ingest'
import { type PresentedBatch, presentBatch } from './batch/present'
import {
  allTerminal,
  type BatchState,
  type BatchSummary,
  initialState,
  pendingTasks,
  type StartInput,
  startInputSchema,
  summarize,
} from './batch/state'
import { BatchStore } from './batch/store'
import { addTally } from './batch/tally'
import { tenantCoordinator } from './stubs'

export type { BatchSummary, StartInput } from './batch/state'

const PROGRESS_FLUSH_MS = 5_000
const MAX_STEP_FAILURES = 8
/** A chunk not reported after this long is assumed lost and dispatched again. */
export const CHUNK_LEASE_MS = 15 * 60 * 1000
const MAX_CHUNK_TASKS = 1000
const MIN_CHUNK_TASKS = 10
/** Chunks a full window is cut into, so several consumers share a batch's work. */
const CHUNKS_PER_WINDOW = 2
const MAX_VIEW_CHUNKS = 200
/** Chunks one report's answer may lease to its consumer. */
const MAX_HANDED_CHUNKS = 8

const failChunkSchema = chunkRefSchema.extend({ error: taskErrorSchema })
const deferSchema = z.object({
  chunks: z.array(chunkRefSchema).min(1),
  delaySeconds: z.number().int().min(0).max(43_200),
})
const viewsSchema = z.object({
  afterSeq: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(MAX_VIEW_CHUNKS),
  failedOnly: z.boolean().optional(),
})

export class BatchCoordinator extends DurableObject<Env> {
  private state: BatchState | null = null
  private readonly store: BatchStore

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new BatchStore(ctx.storage)
    ctx.blockConcurrencyWhile(async () => {
      this.state = this.store.loadState()
      if (this.state) this.store.createTables()
    })
  }

  private get batch(): BatchState {
    if (!this.state) throw new Error('This batch was never started.')
    return this.state
  }

  private save() {
    this.store.saveState(this.batch)
  }

  private now() {
    return Date.now()
  }

  private wake(delayMs = 0) {
    return this.ctx.storage.setAlarm(this.now() + delayMs)
  }

  /** Starts the batch once; a repeated call (e.g. a retried request) changes nothing. */
  async start(input: StartInput): Promise<BatchSummary> {
    if (this.state) return this.summary()
    const parsed = startInputSchema.parse(input)
    this.store.createTables()
    this.state = initialState({ ...parsed, row: input.row }, this.now())
    this.save()
    await this.wake()
    return this.summary()
  }

  /**
   * The batch as the API presents it, from the row it was created with and the live tally;
   * null for a batch started without its row (the caller reads D1 instead).
   */
  async present(): Promise<PresentedBatch | null> {
    const row = this.state?.row
    if (!row) return null
    const startedAt = row.startedAt ?? Math.floor(this.batch.startedAt / 1000)
    return presentBatch({ ...row, startedAt, finishedAt: this.batch.finishedAt }, summarize(this.batch))
  }

  async summary(): Promise<BatchSummary> {
    return summarize(this.batch)
  }

  /** Called by a consumer before it runs a chunk: a lease on its open tasks, or null to drop the message. */
  async beginChunk(chunkId: number, dispatch: number): Promise<ChunkLease | null> {
    const ref = chunkRefSchema.parse({ chunkId, dispatch })
    if (!this.state) return null
    if (this.batch.status === 'paused') {
      this.batch.inflight -= this.store.release(ref.chunkId)
      this.save()
      return null
    }
    if (this.batch.status !== 'in_progress') return null
    return this.leaseOf(ref.chunkId, ref.dispatch)
  }

  private leaseOf(chunkId: number, dispatch: number): ChunkLease | null {
    const lease = this.store.lease(chunkId, dispatch, this.now())
    return chunkLease(this.batch, { chunkId, dispatch }, lease, recordLimit(this.env))
  }

  /**
   * Records a chunk's report, made under its current lease, whole or not at all; a report under a
   * lease since replaced (a redelivered message, a chunk dispatched again) records nothing.
   * With `takeNext`, up to that many of the window's next chunks are leased to the caller in the answer instead of sent
   * through the queue, so a consumer goes on without a queue round trip.
   */
  async reportChunk(report: ChunkReport, takeNext = 0): Promise<{ recorded: number; next: ChunkLease[] }> {
    const parsed = chunkReportSchema.parse(report)
    if (!this.state) return { recorded: 0, next: [] }
    const step = this.store.record(parsed)
    if (!step) return { recorded: 0, next: [] }
    addTally(this.batch.tally, step.tally)
    this.batch.inflight -= step.recorded
    const progressDue = this.now() - this.batch.progressEventAt >= PROGRESS_EVENT_MS
    if (progressDue) this.batch.progressEventAt = this.now()
    this.save()
    await emitNeedsReview(this.env, this.batch, parsed.flagged)
    if (progressDue) await emitProgress(this.env, this.batch, summarize(this.batch))
    const next = await this.refill(z.number().int().min(0).max(MAX_HANDED_CHUNKS).parse(takeNext))
    return { recorded: step.recorded, next }
  }

  /**
   * Takes chunks a consumer holds back into the window's queue of pending chunks, to be dispatched
   * again (under new dispatch numbers, with the window's other chunks) after `delaySeconds`: their
   * tasks hit transient failures and wait a backoff, or the consumer is out of turns.
   */
  async deferChunks(chunks: ChunkRef[], delaySeconds: number): Promise<void> {
    const parsed = deferSchema.parse({ chunks, delaySeconds })
    if (!this.state) return
    const notBefore = this.now() + parsed.delaySeconds * 1000
    for (const ref of parsed.chunks)
      this.batch.inflight -= this.store.defer(ref.chunkId, ref.dispatch, notBefore)
    this.save()
    if (parsed.delaySeconds === 0) await this.refill(0)
    else await this.wakeBy(notBefore)
  }

  /** Makes sure the alarm rings no later than `at`. */
  private async wakeBy(at: number) {
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > at) await this.ctx.storage.setAlarm(at)
  }

  /** Dead-letter path: the open tasks of the chunk, if still dispatched under `dispatch`, fail with `error`. */
  async failChunk(chunkId: number, dispatch: number, error: TaskError): Promise<{ recorded: number }> {
    const ref = failChunkSchema.parse({ chunkId, dispatch, error })
    if (!this.state) return { recorded: 0 }
    const failed = this.store.failChunk(ref.chunkId, ref.dispatch, ref.error)
    this.recordFailed(failed)
    await this.wake()
    return { recorded: failed }
  }

  private recordFailed(failed: number) {
    addTally(this.batch.tally, { failed })
    this.batch.inflight = Math.max(0, this.batch.inflight - failed)
    this.save()
  }

  async pause(): Promise<BatchSummary> {
    if (this.batch.status === 'in_progress' || this.batch.status === 'validating') {
      this.batch.status = 'paused'
      await this.syncD1(true)
    }
    return this.summary()
  }

  async resume(): Promise<BatchSummary> {
    if (this.batch.status === 'paused') {
      this.batch.status = this.hasRunnableTasks() ? 'in_progress' : 'validating'
      await this.syncD1(true)
      await this.wake()
    }
    return this.summary()
  }

  private hasRunnableTasks() {
    return this.batch.ingested > this.batch.tally.invalid
  }

  /** Stops dispatch at once: every task not yet recorded fails as cancelled; recorded results stay. */
  async cancel(): Promise<BatchSummary> {
    if (isFinished(this.batch.status) || this.batch.cancelRequested) return this.summary()
    this.batch.cancelRequested = true
    this.batch.status = 'cancelling'
    addTally(this.batch.tally, { failed: this.store.failAllOpen(CANCELLED_ERROR) })
    this.batch.inflight = 0
    await this.syncD1(true)
    await this.wake()
    return this.summary()
  }

  /** Failed tasks that a retry would run again (not rows that were invalid). */
  async rerunnableCount(): Promise<number> {
    return this.state ? this.store.rerunnableCount() : 0
  }

  /** Re-runs only the failed tasks of a finished batch. */
  async retryFailed(): Promise<{ retried: number; summary: BatchSummary }> {
    if (!['completed', 'cancelled'].includes(this.batch.status))
      return { retried: 0, summary: await this.summary() }
    const retried = this.store.requeueFailed()
    if (retried > 0) {
      addTally(this.batch.tally, { failed: -retried })
      Object.assign(this.batch, {
        status: 'in_progress',
        cancelRequested: false,
        finishedAt: null,
        error: null,
      })
      await this.syncD1(true)
      await this.wake()
    }
    return { retried, summary: await this.summary() }
  }

  /**
   * The chunks holding tasks after `afterSeq`, in order, with what is needed to read their results
   * from R2 (see shared/pipeline/chunk-lines.ts); `failedOnly` for the errors listing.
   */
  async resultChunks(options: {
    afterSeq: number
    limit: number
    failedOnly?: boolean
  }): Promise<ChunkView[]> {
    const { afterSeq, limit, failedOnly } = viewsSchema.parse(options)
    if (!this.state) return []
    return chunkViews(this.batch, this.store.chunksAfter(afterSeq, limit, failedOnly), recordLimit(this.env))
  }

  /** The object's storage in bytes, for the benchmarks' report. */
  async storageBytes(): Promise<number> {
    return this.store.databaseBytes()
  }

  override async alarm(): Promise<void> {
    if (!this.state || isFinished(this.batch.status)) return
    try {
      if (!this.batch.ingestDone) await this.ingestNext()
      await this.dispatch()
      this.batch.inflight -= this.store.releaseStale(this.now() - CHUNK_LEASE_MS)
      this.save()
      if (allTerminal(this.batch) && this.batch.status !== 'paused') return await this.finalize()
    } catch (error) {
      if (error instanceof IngestError)
        return await this.failBatch({ code: 'invalid_input_file', message: error.message })
      return await this.recoverFrom(error)
    }
    this.batch.alarmFailures = 0
    await this.syncD1(false)
    await this.scheduleNext()
  }

  /**
   * An unexpected error in a work step is retried with backoff; if it keeps happening the batch
   * fails with the reason, so it never hangs without an outcome.
   */
  private async recoverFrom(error: unknown) {
    const failures = this.batch.alarmFailures + 1
    this.batch.alarmFailures = failures
    console.error(
      JSON.stringify({
        level: 'error',
        batch: this.batch.batchId,
        step_failures: failures,
        error: String(error),
      }),
    )
    if (failures >= MAX_STEP_FAILURES) {
      return this.failBatch({
        code: 'internal_error',
        message: `The batch stopped after repeated internal errors: ${String(error)}`,
      })
    }
    this.save()
    await this.wake(Math.min(60_000, 500 * 2 ** failures))
  }

  /** Tasks per chunk: a quarter of the batch's share of the tenant's concurrency, within bounds. */
  private async chunkTasks(): Promise<number> {
    if (this.batch.chunkTasks) return this.batch.chunkTasks
    const share = await tenantCoordinator(this.env, this.batch.tenantId).shareFor(this.batch.batchId)
    this.batch.chunkTasks = Math.min(
      MAX_CHUNK_TASKS,
      Math.max(MIN_CHUNK_TASKS, Math.ceil(share / CHUNKS_PER_WINDOW)),
    )
    return this.batch.chunkTasks
  }

  private async ingestNext() {
    const chunkTasks = await this.chunkTasks()
    const step = await ingestSlice(this.env.FILES, this.store, this.batch.source, {
      firstSeq: this.batch.ingested + 1,
      firstChunk: this.batch.nextChunk,
      chunkTasks,
      cancelled: this.batch.cancelRequested,
      maxRecordBytes: recordLimit(this.env),
    })
    this.batch.ingested += step.tasks
    this.batch.nextChunk += step.chunks
    const cancelled = this.batch.cancelRequested ? step.tasks - step.invalid : 0
    addTally(this.batch.tally, { failed: step.invalid + cancelled, invalid: step.invalid })
    if (this.batch.status === 'validating' && this.hasRunnableTasks()) this.batch.status = 'in_progress'
    this.batch.ingestDone = step.done
    this.save()
    if (step.done) this.logMilestone('batch.ingested', { rows: this.batch.ingested })
  }

  /** One structured line per batch milestone, for operators and the benchmarks in bench/. */
  private logMilestone(event: string, fields: Record<string, unknown>) {
    const { batchId, startedAt } = this.batch
    console.log(JSON.stringify({ event, batch: batchId, ms: this.now() - startedAt, ...fields }))
  }

  /**
   * Fills the window: dispatches pending chunks while they fit the batch's share and sends them
   * through the queue; the first `handOff` are leased to the caller instead and returned.
   */
  private async dispatch(handOff = 0): Promise<ChunkLease[]> {
    if (this.batch.status !== 'in_progress' || pendingTasks(this.batch) === 0) return []
    const share = await tenantCoordinator(this.env, this.batch.tenantId).shareFor(this.batch.batchId)
    if (this.batch.status !== 'in_progress') return []
    const room = share - this.batch.inflight
    const chunks = this.store.dispatchChunks(room, this.now(), this.batch.inflight === 0)
    if (!chunks.length) return []
    this.batch.inflight += chunks.reduce((sum, chunk) => sum + chunk.open, 0)
    const next = chunks.splice(0, handOff).flatMap((chunk) => this.leaseOf(chunk.id, chunk.dispatch) ?? [])
    this.save()
    const { tenantId, batchId } = this.batch
    try {
      if (chunks.length) await sendChunks(this.env, tenantId, batchId, chunks)
    } catch (error) {
      for (const chunk of chunks) this.batch.inflight -= this.store.release(chunk.id)
      this.save()
      throw error
    }
    return next
  }

  /**
   * Refills the window as soon as results free room in it, rather than at the next alarm; the
   * alarm finalises, and retries a dispatch that failed here.
   */
  private async refill(handOff: number): Promise<ChunkLease[]> {
    if (allTerminal(this.batch)) {
      await this.wake()
      return []
    }
    if (pendingTasks(this.batch) === 0) return []
    try {
      return await this.dispatch(handOff)
    } catch (error) {
      console.error(JSON.stringify({ level: 'warn', batch: this.batch.batchId, dispatch: String(error) }))
      await this.wake()
      return []
    }
  }

  private async failBatch(error: TaskError) {
    this.batch.error = error
    addTally(this.batch.tally, { failed: this.store.failAllOpen(error) })
    this.batch.inflight = 0
    this.batch.ingestDone = true
    this.save()
    await this.finalize()
  }

  private async finalize() {
    const status = finalStatus(this.batch)
    if (status === 'failed') this.batch.error ??= batchFailure(this.batch)
    // Nothing is left to write: every line is in R2 already, and downloads read them from there.
    this.batch.status = status
    this.batch.finishedAt = Math.floor(this.now() / 1000)
    await this.syncD1(true)
    this.batch.billed = await billTenant(this.env.DB, this.batch)
    this.save()
    await tenantCoordinator(this.env, this.batch.tenantId).releaseBatch(this.batch.batchId)
    await emitBatchFinished(this.env, this.batch, summarize(this.batch))
    this.logMilestone('batch.finalized', {
      status,
      rows: this.batch.ingested,
      storage_bytes: this.store.databaseBytes(),
    })
  }

  private async syncD1(force: boolean) {
    if (!force && this.now() - this.batch.lastFlushAt < PROGRESS_FLUSH_MS) return this.save()
    this.batch.lastFlushAt = this.now()
    this.save()
    await flushToD1(this.env.DB, this.batch, summarize(this.batch))
  }

  private async scheduleNext() {
    if (isFinished(this.batch.status)) return
    const now = this.now()
    const running = this.batch.status === 'in_progress'
    if (!this.batch.ingestDone) return this.wake()
    const deferredAt = running ? this.store.nextDeferredAt(now) : null
    const waiting = running && pendingTasks(this.batch) > 0 && this.batch.inflight === 0
    if (waiting && deferredAt === null) return this.wake()
    const candidates = [deferredAt ?? Number.POSITIVE_INFINITY]
    if (this.batch.inflight > 0) {
      const oldest = this.store.oldestLeaseAt() ?? now
      candidates.push(now + Math.min(PROGRESS_FLUSH_MS, Math.max(0, oldest + CHUNK_LEASE_MS - now)))
    }
    const at = Math.min(...candidates)
    if (Number.isFinite(at)) await this.ctx.storage.setAlarm(at)
  }
}
