// One per batch (named `{tenant_id}/{batch_id}`): ingests the input in slices driven by alarms,
// keeps every task's state in its own SQLite, dispatches chunks of tasks to the `tasks` queue
// through a window sized by the tenant's fair share, records results idempotently, writes the
// results to R2 and the final counts to D1.
import { DurableObject } from 'cloudflare:workers'
import { isFinished } from '../shared/db/schema'
import { recordLimit } from '../shared/ingest/record-limit'
import {
  type ChunkReport,
  type ChunkWork,
  chunkReportSchema,
  type TaskError,
} from '../shared/pipeline/messages'
import { findTask } from '../shared/tasks'
import { type PresentedBatch, presentBatch } from '../workers/batches/present'
import { tenantCoordinator } from '../workers/pipeline/coordinators'
import { emitBatchFinished, emitChunkEvents } from '../workers/webhooks/batch-events'
import { ChunkLedger } from './batch/chunk-ledger'
import { batchFailure, billTenant, finalStatus, flushToD1 } from './batch/d1-sync'
import { resultsKey, writeResultFile } from './batch/finalize'
import { IngestError, ingestSlice } from './batch/ingest'
import { type ResultPageOptions, readResultPage } from './batch/results'
import { CANCELLED_MESSAGE, insertRows } from './batch/rows'
import {
  allTerminal,
  type BatchState,
  type BatchSummary,
  initialState,
  pendingTasks,
  SCHEMA,
  type StartInput,
  summarize,
} from './batch/state'

export type { BatchSummary, StartInput } from './batch/state'

const PROGRESS_FLUSH_MS = 5_000
const MAX_STEP_FAILURES = 8

export class BatchCoordinator extends DurableObject<Env> {
  private state: BatchState | null = null
  private readonly chunks: ChunkLedger

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.chunks = new ChunkLedger(ctx.storage.sql)
    ctx.blockConcurrencyWhile(async () => {
      this.state = ctx.storage.kv.get<BatchState>('state') ?? null
      // Tables are made when the batch starts, so looking up an id that never started (another
      // tenant's, a typo) leaves no storage behind.
      if (this.state) ctx.storage.sql.exec(SCHEMA)
    })
  }

  private get batch(): BatchState {
    if (!this.state) throw new Error('This batch was never started.')
    return this.state
  }

  private save() {
    this.ctx.storage.kv.put('state', this.batch)
  }

  private get task() {
    const task = findTask(this.batch.task)
    if (!task) throw new Error(`Unknown task type ${this.batch.task}.`)
    return task
  }

  private wake(delayMs = 0) {
    return this.ctx.storage.setAlarm(Date.now() + delayMs)
  }

  /** Starts the batch once; a repeated call (e.g. a retried request) changes nothing. */
  async start(input: StartInput): Promise<BatchSummary> {
    if (this.state) return this.summary()
    this.ctx.storage.sql.exec(SCHEMA)
    this.state = initialState(input)
    if (input.source === 'inline') {
      const rows = input.items.map((item) => ({ customId: item.custom_id, fields: item.input }))
      const written = insertRows(this.ctx.storage.sql, rows, {
        task: this.task,
        template: input.settings.template,
        mapping: null,
        firstSeq: 1,
        cancelled: false,
      })
      this.recordIngested(written)
    }
    this.save()
    await this.wake()
    return this.summary()
  }

  /**
   * The batch as the API presents it, from the row it was created with and the live counters;
   * null for a batch started without its row (the caller reads D1 instead).
   */
  async present(): Promise<PresentedBatch | null> {
    const row = this.state?.row
    if (!row) return null
    const startedAt = row.startedAt ?? Math.floor(this.batch.startedAt / 1000)
    return presentBatch(
      { ...row, startedAt, finishedAt: this.batch.finishedAt ?? null },
      await this.summary(),
    )
  }

  async summary(): Promise<BatchSummary> {
    return summarize(this.batch)
  }

  private recordIngested(written: { inserted: number; failed: number }) {
    this.batch.ingested += written.inserted
    this.batch.failed += written.failed
    if (!this.batch.cancelRequested) this.batch.invalid += written.failed
    if (this.batch.status === 'validating' && this.batch.ingested > this.batch.invalid)
      this.batch.status = 'in_progress'
  }

  /** Called by a consumer before it runs a chunk: the chunk's open tasks, or null to drop the message. */
  async beginChunk(chunkId: number): Promise<ChunkWork | null> {
    if (!this.state || !this.chunks.exists(chunkId)) return null
    if (this.batch.status === 'paused') {
      this.batch.inflight -= this.chunks.release(chunkId)
      this.save()
      return null
    }
    if (this.batch.status !== 'in_progress') return null
    return {
      task: this.batch.task,
      params: this.batch.params,
      settings: this.batch.settings,
      items: this.chunks.openTasks(chunkId),
    }
  }

  /** Records a chunk's results; tasks already recorded are left alone, so redelivery counts nothing twice. */
  async reportChunk(report: ChunkReport): Promise<{ recorded: number }> {
    const { chunkId, results } = chunkReportSchema.parse(report)
    if (!this.state) return { recorded: 0 }
    // States and lines are separate statements: they commit together or not at all.
    const recorded = this.ctx.storage.transactionSync(() => this.chunks.record(chunkId, results))
    this.batch.completed += recorded.succeeded
    this.batch.failed += recorded.failed
    this.batch.needsReview += recorded.needsReview
    this.batch.cacheHits += recorded.cacheHits
    this.batch.costUsd += recorded.costUsd
    this.batch.inflight -= recorded.succeeded + recorded.failed
    this.batch.usage.input_tokens += recorded.usage.input_tokens
    this.batch.usage.output_tokens += recorded.usage.output_tokens
    this.save()
    if (recorded.succeeded + recorded.failed > 0)
      await emitChunkEvents(this.env, this.ctx.storage, this.batch, results, await this.summary())
    await this.refill()
    return { recorded: recorded.succeeded + recorded.failed }
  }

  /** Dead-letter path: the chunk's open tasks fail with `error`. */
  async failChunk(chunkId: number, error: TaskError): Promise<{ recorded: number }> {
    if (!this.state) return { recorded: 0 }
    const failed = this.chunks.fail(chunkId, error)
    this.batch.failed += failed
    this.batch.inflight -= failed
    this.save()
    await this.wake()
    return { recorded: failed }
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
      this.batch.status = this.batch.ingested > this.batch.invalid ? 'in_progress' : 'validating'
      await this.syncD1(true)
      await this.wake()
    }
    return this.summary()
  }

  /** Stops dispatch at once: every task not yet recorded fails as cancelled; recorded results stay. */
  async cancel(): Promise<BatchSummary> {
    if (isFinished(this.batch.status) || this.batch.cancelRequested) return this.summary()
    this.batch.cancelRequested = true
    this.batch.status = 'cancelling'
    this.batch.failed += this.chunks.failAllOpen({ code: 'cancelled', message: CANCELLED_MESSAGE })
    this.batch.inflight = 0
    await this.syncD1(true)
    await this.wake()
    return this.summary()
  }

  /** Failed tasks that a retry would run again (not rows that were invalid). */
  async rerunnableCount(): Promise<number> {
    return this.state ? this.chunks.rerunnableCount() : 0
  }

  /** Re-runs only the failed tasks of a finished batch. */
  async retryFailed(): Promise<{ retried: number; summary: BatchSummary }> {
    if (!['completed', 'cancelled'].includes(this.batch.status))
      return { retried: 0, summary: await this.summary() }
    const retried = this.chunks.requeueFailed()
    if (retried > 0) {
      Object.assign(this.batch, {
        failed: this.batch.failed - retried,
        status: 'in_progress',
        cancelRequested: false,
        resultsKey: null,
        finishedAt: null,
        error: null,
      })
      await this.syncD1(true)
      await this.wake()
    }
    return { retried, summary: await this.summary() }
  }

  /** A page of terminal results in order, as JSON lines or CSV lines (with the header on the first page). */
  async readResults(options: ResultPageOptions) {
    if (!this.state) return { header: null, lines: [], cursors: [], lastSeq: null }
    return readResultPage(this.ctx.storage.sql, this.task, options)
  }

  override async alarm(): Promise<void> {
    if (!this.state || isFinished(this.batch.status)) return
    try {
      if (!this.batch.ingestDone) await this.ingestNext()
      await this.dispatch()
      this.batch.inflight -= this.chunks.releaseStale()
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
    const failures = (this.batch.alarmFailures ?? 0) + 1
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

  private async ingestNext() {
    const source = this.batch.source
    if (source.kind !== 'file') return
    const written = await ingestSlice(this.env.FILES, this.ctx.storage.sql, source, {
      task: this.task,
      template: this.batch.settings.template,
      firstSeq: this.batch.ingested + 1,
      cancelled: this.batch.cancelRequested,
      maxRecordBytes: recordLimit(this.env),
    })
    this.recordIngested(written)
    this.batch.ingestDone = written.done
    this.save()
    if (written.done) this.logMilestone('batch.ingested', { rows: this.batch.ingested })
  }

  /** One structured line per batch milestone, for operators and the benchmarks in bench/. */
  private logMilestone(event: string, fields: Record<string, unknown>) {
    const { batchId, startedAt } = this.batch
    console.log(JSON.stringify({ event, batch: batchId, ms: Date.now() - startedAt, ...fields }))
  }

  private async dispatch() {
    if (this.batch.status !== 'in_progress' || pendingTasks(this.batch) === 0) return
    const share = await tenantCoordinator(this.env, this.batch.tenantId).shareFor(this.batch.batchId)
    if (this.batch.status !== 'in_progress') return
    const opened = this.chunks.open(share - this.batch.inflight, share, this.batch.nextChunk)
    if (!opened.length) return
    this.batch.nextChunk = opened.at(-1)!.id + 1
    this.batch.inflight += opened.reduce((sum, chunk) => sum + chunk.tasks, 0)
    this.save()
    const { tenantId, batchId } = this.batch
    for (let i = 0; i < opened.length; i += 100) {
      const group = opened.slice(i, i + 100)
      try {
        await this.env.TASKS.sendBatch(
          group.map((chunk) => ({ body: { tenantId, batchId, chunkId: chunk.id } })),
        )
      } catch (error) {
        for (const chunk of opened.slice(i)) this.batch.inflight -= this.chunks.release(chunk.id)
        this.save()
        throw error
      }
    }
  }

  /**
   * Refills the window as soon as results free room in it, rather than at the next alarm; the
   * alarm finalises, and retries a dispatch that failed here.
   */
  private async refill() {
    if (allTerminal(this.batch)) return this.wake()
    if (pendingTasks(this.batch) === 0) return
    try {
      await this.dispatch()
    } catch (error) {
      console.error(JSON.stringify({ level: 'warn', batch: this.batch.batchId, dispatch: String(error) }))
      await this.wake()
    }
  }

  private async failBatch(error: { code: string; message: string }) {
    this.batch.error = error
    this.batch.failed += this.chunks.failAllOpen(error)
    this.batch.inflight = 0
    this.batch.ingestDone = true
    this.save()
    await this.finalize()
  }

  private async finalize() {
    const status = finalStatus(this.batch)
    if (status === 'failed') this.batch.error ??= batchFailure(this.batch)
    this.batch.status = 'finalizing'
    await this.syncD1(true)
    const writeStarted = Date.now()
    await writeResultFile(this.env.FILES, this.ctx.storage.sql, {
      tenantId: this.batch.tenantId,
      batchId: this.batch.batchId,
    })
    const writeMs = Date.now() - writeStarted
    this.batch.status = status
    this.batch.finishedAt = Math.floor(Date.now() / 1000)
    this.batch.resultsKey = resultsKey(this.batch.tenantId, this.batch.batchId)
    await this.syncD1(true)
    this.batch.billed = await billTenant(this.env.DB, this.batch)
    this.save()
    await tenantCoordinator(this.env, this.batch.tenantId).releaseBatch(this.batch.batchId)
    await emitBatchFinished(this.env, this.batch, await this.summary())
    this.logMilestone('batch.finalized', { status, write_ms: writeMs, rows: this.batch.ingested })
  }

  private async syncD1(force: boolean) {
    this.save()
    if (!force && Date.now() - this.batch.lastFlushAt < PROGRESS_FLUSH_MS) return
    this.batch.lastFlushAt = Date.now()
    this.save()
    await flushToD1(this.env.DB, this.batch, await this.summary())
  }

  private async scheduleNext() {
    if (isFinished(this.batch.status)) return
    const busy =
      !this.batch.ingestDone ||
      (this.batch.status === 'in_progress' && pendingTasks(this.batch) > 0 && this.batch.inflight === 0)
    if (busy) return this.wake()
    if (this.batch.inflight > 0) return this.wake(Math.min(PROGRESS_FLUSH_MS, this.chunks.msUntilStale()))
  }
}
