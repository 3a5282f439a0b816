// The SQL behind dispatch: which tasks travel in which chunk, and recording what comes back.
// Every state change is one statement over many rows; a task changes from dispatched to a
// result only once, which is what makes redelivered messages harmless.
import type { RecordedResult, TaskError } from '../../shared/pipeline/messages'
import { insertMany } from './bulk-insert'
import { byteBudgetGroups, STATEMENT_PARAMETER_BYTES } from './json-groups'
import { TASK_STATE } from './state'

/** A chunk not finished after this long is assumed lost and its tasks are dispatched again. */
export const CHUNK_LEASE_MS = 15 * 60 * 1000
const MAX_CHUNK_TASKS = 500
const MIN_CHUNK_TASKS = 10
/** Chunks a full window is cut into, so several consumers share a batch's work. */
const CHUNKS_PER_WINDOW = 4

export type Recorded = {
  succeeded: number
  failed: number
  needsReview: number
  cacheHits: number
  costUsd: number
  usage: { input_tokens: number; output_tokens: number }
}

function emptyRecorded(): Recorded {
  return {
    succeeded: 0,
    failed: 0,
    needsReview: 0,
    cacheHits: 0,
    costUsd: 0,
    usage: { input_tokens: 0, output_tokens: 0 },
  }
}

/**
 * Rows changed by one statement, from SQLite's changes(): a cursor's rowsWritten would include
 * index writes, and reading every RETURNING row back cost ~3 µs a task at dispatch.
 */
function changedRows(sql: SqlStorage, query: string, ...bindings: unknown[]): number {
  sql.exec(query, ...bindings)
  return sql.exec<{ n: number }>('SELECT changes() AS n').one().n
}

export class ChunkLedger {
  constructor(private readonly sql: SqlStorage) {}

  exists(chunkId: number): boolean {
    return this.sql.exec('SELECT 1 FROM chunks WHERE id = ?', chunkId).toArray().length > 0
  }

  /** Moves up to `room` pending tasks into new chunks, in order; returns the chunks opened. */
  open(room: number, share: number, firstId: number): { id: number; tasks: number }[] {
    const size = Math.min(MAX_CHUNK_TASKS, Math.max(MIN_CHUNK_TASKS, Math.ceil(share / CHUNKS_PER_WINDOW)))
    const opened: { id: number; tasks: number }[] = []
    const now = Date.now()
    while (room > 0) {
      const id = firstId + opened.length
      const tasks = changedRows(
        this.sql,
        `UPDATE tasks SET state = ${TASK_STATE.dispatched}, chunk = ?
         WHERE seq IN (SELECT seq FROM tasks WHERE state = ${TASK_STATE.pending} ORDER BY seq LIMIT ?)`,
        id,
        Math.min(size, room),
      )
      if (tasks === 0) break
      this.sql.exec('INSERT INTO chunks (id, open, dispatched_at) VALUES (?, ?, ?)', id, tasks, now)
      opened.push({ id, tasks })
      room -= tasks
    }
    return opened
  }

  openTasks(chunkId: number) {
    return this.sql
      .exec<{ seq: number; custom_id: string; input: string }>(
        `SELECT seq, custom_id, input FROM tasks WHERE chunk = ? AND state = ${TASK_STATE.dispatched} ORDER BY seq`,
        chunkId,
      )
      .toArray()
      .map((row) => ({
        seq: row.seq,
        customId: row.custom_id,
        input: JSON.parse(row.input) as Record<string, unknown>,
      }))
  }

  /** Records results of tasks still dispatched in this chunk; returns what changed. */
  record(chunkId: number, results: RecordedResult[]): Recorded {
    const recorded = emptyRecorded()
    const bySeq = new Map(results.map((result) => [result.seq, result]))
    const kept: RecordedResult[] = []
    for (const group of byteBudgetGroups(
      results.map((result) => [
        result.seq,
        result.status === 'failed' ? TASK_STATE.failed : TASK_STATE.succeeded,
      ]),
      STATEMENT_PARAMETER_BYTES,
    )) {
      for (const seq of this.closeDispatched(chunkId, group)) {
        const result = bySeq.get(seq)!
        kept.push(result)
        if (result.status === 'failed') recorded.failed++
        else recorded.succeeded++
        if (result.status === 'needs_review') recorded.needsReview++
        if (result.cached) recorded.cacheHits++
        recorded.costUsd += result.cost_usd
        recorded.usage.input_tokens += result.usage.input_tokens
        recorded.usage.output_tokens += result.usage.output_tokens
      }
    }
    insertMany(
      this.sql,
      { table: 'result_lines', columns: ['seq', 'line'] },
      kept.map((result) => [result.seq, result.line]),
    )
    this.closeTasks(chunkId, kept.length)
    return recorded
  }

  /**
   * Gives the tasks of one JSON array of `[seq, state]` their final state, if they are still
   * dispatched in this chunk; returns the seqs that changed. The array is materialised first so
   * each entry finds its task by primary key (joining json_each directly scanned the chunk's tasks
   * for every result).
   */
  private closeDispatched(chunkId: number, group: string): number[] {
    return this.sql
      .exec<{ seq: number }>(
        `WITH r AS MATERIALIZED (SELECT value ->> 0 AS seq, value ->> 1 AS state FROM json_each(?))
         UPDATE tasks SET state = r.state, rerunnable = r.state = ${TASK_STATE.failed}
         FROM r WHERE tasks.seq = r.seq AND tasks.chunk = ? AND tasks.state = ${TASK_STATE.dispatched}
         RETURNING tasks.seq`,
        group,
        chunkId,
      )
      .toArray()
      .map((row) => row.seq)
  }

  /** Fails the chunk's open tasks; returns how many. */
  fail(chunkId: number, error: TaskError): number {
    const failed = changedRows(
      this.sql,
      `UPDATE tasks SET state = ${TASK_STATE.failed}, error = ?, rerunnable = 1
       WHERE chunk = ? AND state = ${TASK_STATE.dispatched}`,
      JSON.stringify(error),
      chunkId,
    )
    this.sql.exec('DELETE FROM chunks WHERE id = ?', chunkId)
    return failed
  }

  /** Fails every task without a result (cancel, or a batch that cannot go on); returns how many. */
  failAllOpen(error: TaskError): number {
    const failed = changedRows(
      this.sql,
      `UPDATE tasks SET state = ${TASK_STATE.failed}, error = ?, rerunnable = 1, chunk = NULL
       WHERE seq IN (SELECT seq FROM tasks WHERE state = ${TASK_STATE.pending}
                     UNION ALL SELECT seq FROM tasks WHERE state = ${TASK_STATE.dispatched})`,
      JSON.stringify(error),
    )
    this.sql.exec('DELETE FROM chunks')
    return failed
  }

  /** Puts a chunk's open tasks back to pending; returns how many. */
  release(chunkId: number): number {
    const released = changedRows(
      this.sql,
      `UPDATE tasks SET state = ${TASK_STATE.pending}, chunk = NULL WHERE chunk = ? AND state = ${TASK_STATE.dispatched}`,
      chunkId,
    )
    this.sql.exec('DELETE FROM chunks WHERE id = ?', chunkId)
    return released
  }

  /** Releases chunks past their lease; returns the tasks released. */
  releaseStale(): number {
    const stale = this.sql
      .exec<{ id: number }>('SELECT id FROM chunks WHERE dispatched_at < ?', Date.now() - CHUNK_LEASE_MS)
      .toArray()
    return stale.reduce((sum, chunk) => sum + this.release(chunk.id), 0)
  }

  msUntilStale(): number {
    const oldest = this.sql
      .exec<{ at: number | null }>('SELECT min(dispatched_at) AS at FROM chunks')
      .one().at
    return oldest === null ? CHUNK_LEASE_MS : Math.max(0, oldest + CHUNK_LEASE_MS - Date.now())
  }

  rerunnableCount(): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT count(*) AS n FROM tasks WHERE state = ${TASK_STATE.failed} AND rerunnable = 1`,
      )
      .one().n
  }

  /** Makes failed, rerunnable tasks pending again; returns how many. */
  requeueFailed(): number {
    const requeued = changedRows(
      this.sql,
      `UPDATE tasks SET state = ${TASK_STATE.pending}, error = NULL, rerunnable = 0, chunk = NULL
       WHERE state = ${TASK_STATE.failed} AND rerunnable = 1`,
    )
    // A pending task has no result line.
    this.sql.exec(
      `DELETE FROM result_lines WHERE seq IN (SELECT seq FROM tasks WHERE state = ${TASK_STATE.pending})`,
    )
    return requeued
  }

  private closeTasks(chunkId: number, count: number) {
    if (count === 0) return
    this.sql.exec('UPDATE chunks SET open = open - ? WHERE id = ?', count, chunkId)
    this.sql.exec('DELETE FROM chunks WHERE id = ? AND open <= 0', chunkId)
  }
}
