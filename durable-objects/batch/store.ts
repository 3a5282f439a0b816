// The one owner of a batch object's storage: its state (one value in the key-value store) and its
// tables. Nothing else runs SQL on the object. Per task it keeps one state byte in its chunk's row
// and, for rows that name themselves, their custom_id for duplicate checks; inputs stay in the
// uploaded file and result lines in R2 parts, so storage grows by tens of bytes a task.
import { fnv1a } from '../../shared/hash'
import {
  bitIsSet,
  bitsFor,
  clearBit,
  isFailedState,
  lastSeqOf,
  type PartView,
  setBit,
  TASK_STATE,
} from '../../shared/pipeline/chunks'
import type { ChunkReport, TaskError } from '../../shared/pipeline/messages'
import { insertMany } from './bulk-insert'
import { byteBudgetGroups, STATEMENT_PARAMETER_BYTES } from './json-groups'
import type { BatchState } from './state'
import { emptyTally, type Tally } from './tally'

// Partial indexes hold only the chunks a hot query looks for; queries repeat the index's WHERE
// with `=`/`>` as written, which is what lets SQLite use a partial index.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  byte_start INTEGER NOT NULL,
  byte_end INTEGER NOT NULL,
  states BLOB NOT NULL,
  open INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  rerunnable INTEGER NOT NULL,
  dispatched INTEGER NOT NULL DEFAULT 0,
  dispatch INTEGER NOT NULL DEFAULT 0,
  lease INTEGER NOT NULL DEFAULT 0,
  lease_open INTEGER NOT NULL DEFAULT 0,
  leased_at INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0,
  fallback TEXT
);
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks (id) WHERE dispatched = 0 AND open > 0;
CREATE INDEX IF NOT EXISTS chunks_dispatched ON chunks (leased_at) WHERE dispatched = 1;
CREATE INDEX IF NOT EXISTS chunks_last_seq ON chunks (last_seq);
CREATE INDEX IF NOT EXISTS chunks_failed ON chunks (last_seq) WHERE failed > 0;
CREATE TABLE IF NOT EXISTS parts (
  chunk INTEGER NOT NULL,
  lease INTEGER NOT NULL,
  key TEXT NOT NULL,
  written BLOB NOT NULL,
  live BLOB NOT NULL,
  PRIMARY KEY (chunk, lease)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingest_errors (
  seq INTEGER PRIMARY KEY,
  custom_id TEXT NOT NULL,
  error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS custom_ids (key TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
`

/** custom_ids longer than this are kept as a hash with a prefix of them. */
const STORED_ID_CHARS = 64

export type NewChunk = {
  id: number
  firstSeq: number
  states: Uint8Array
  start: number
  end: number
  fallback: TaskError | null
  ingestErrors: { seq: number; customId: string; error: TaskError }[]
}

export type StoredChunk = {
  id: number
  firstSeq: number
  states: Uint8Array
  start: number
  end: number
  parts: PartView[]
  ingestErrors: NewChunk['ingestErrors']
  fallback: TaskError | null
}

export type Lease = { lease: number; firstSeq: number; start: number; end: number; open: number[] }

type ChunkRow = {
  id: number
  first_seq: number
  byte_start: number
  byte_end: number
  states: ArrayBuffer
  open: number
  dispatched: number
  dispatch: number
  lease: number
  lease_open: number
  fallback: string | null
}

function storedIdKey(customId: string): string {
  if (customId.length <= STORED_ID_CHARS) return customId
  const hash = `${fnv1a(customId).toString(36)}${fnv1a(`${customId}\u0000`).toString(36)}`
  return `#${customId.slice(0, 32)}#${customId.length}#${hash}`
}

export class BatchStore {
  private readonly sql: SqlStorage

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql
  }

  loadState(): BatchState | null {
    return this.storage.kv.get<BatchState>('state') ?? null
  }

  saveState(state: BatchState): void {
    this.storage.kv.put('state', state)
  }

  /** Made when the batch starts, so looking up an id that never started leaves nothing behind. */
  createTables(): void {
    this.sql.exec(SCHEMA)
  }

  /** Any function that writes several statements runs in this, so they commit together or not at all. */
  atomically<T>(write: () => T): T {
    return this.storage.transactionSync(write)
  }

  private changes(): number {
    return this.sql.exec<{ n: number }>('SELECT changes() AS n').one().n
  }

  /**
   * Claims each row's own custom_id for it; returns the seqs whose custom_id an earlier row holds
   * (earlier in this call or in an earlier one).
   */
  claimCustomIds(claims: { seq: number; customId: string }[]): Set<number> {
    const taken = new Set<number>()
    const first = new Map<string, number>()
    const fresh: [string, number][] = []
    for (const { seq, customId } of claims) {
      const key = storedIdKey(customId)
      if (first.has(key)) taken.add(seq)
      else {
        first.set(key, seq)
        fresh.push([key, seq])
      }
    }
    for (const group of byteBudgetGroups(fresh, STATEMENT_PARAMETER_BYTES)) {
      const entries: [string, number][] = JSON.parse(group)
      this.sql.exec(
        `INSERT INTO custom_ids (key, seq) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
         ON CONFLICT DO NOTHING`,
        group,
      )
      if (this.changes() === entries.length) continue
      // Rare: some were claimed by earlier rows (with a smaller seq than any of this group's).
      const rows = this.sql.exec<{ key: string }>(
        `SELECT key FROM custom_ids WHERE key IN (SELECT value ->> 0 FROM json_each(?)) AND seq < ?`,
        group,
        entries[0]![1],
      )
      for (const row of rows) taken.add(first.get(row.key)!)
    }
    return taken
  }

  addChunk(chunk: NewChunk): void {
    let open = 0
    let failed = 0
    let rerunnable = 0
    for (const state of chunk.states) {
      if (state === TASK_STATE.open) open++
      else if (isFailedState(state)) failed++
      if (state === TASK_STATE.failed) rerunnable++
    }
    this.sql.exec(
      `INSERT INTO chunks (id, first_seq, last_seq, byte_start, byte_end, states, open, failed, rerunnable, fallback)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      chunk.id,
      chunk.firstSeq,
      lastSeqOf(chunk),
      chunk.start,
      chunk.end,
      chunk.states,
      open,
      failed,
      rerunnable,
      chunk.fallback ? JSON.stringify(chunk.fallback) : null,
    )
    insertMany(
      this.sql,
      { table: 'ingest_errors', columns: ['seq', 'custom_id', 'error'] },
      chunk.ingestErrors.map((row) => [row.seq, row.customId, JSON.stringify(row.error)]),
    )
  }

  /**
   * Marks undispatched chunks dispatched, in order, while their open tasks fit in `room`; with
   * `atLeastOne` (nothing in flight) the first goes even if it is larger, so the batch moves.
   */
  dispatchChunks(
    room: number,
    now: number,
    atLeastOne: boolean,
  ): { id: number; dispatch: number; open: number }[] {
    const chosen: { id: number; dispatch: number; open: number }[] = []
    if (room <= 0 && !atLeastOne) return chosen
    const rows = this.sql.exec<{ id: number; dispatch: number; open: number }>(
      `SELECT id, dispatch, open FROM chunks WHERE dispatched = 0 AND open > 0 AND not_before <= ?
       ORDER BY id LIMIT ?`,
      now,
      Math.max(1, Math.ceil(room / 10)),
    )
    for (const row of rows) {
      if (row.open > room && (chosen.length || !atLeastOne)) break
      chosen.push({ ...row, dispatch: row.dispatch + 1 })
      room -= row.open
      if (room <= 0) break
    }
    for (const chunk of chosen)
      this.sql.exec(
        'UPDATE chunks SET dispatched = 1, dispatch = ?, lease_open = 0, leased_at = ? WHERE id = ?',
        chunk.dispatch,
        now,
        chunk.id,
      )
    return chosen
  }

  private chunkRow(chunkId: number): ChunkRow | null {
    return (
      this.sql
        .exec<ChunkRow>(
          `SELECT id, first_seq, byte_start, byte_end, states, open, dispatched, dispatch, lease, lease_open, fallback
           FROM chunks WHERE id = ?`,
          chunkId,
        )
        .toArray()[0] ?? null
    )
  }

  /**
   * A new lease on a dispatched chunk for one delivery: only a report under the latest lease
   * counts, so a delivery that lost its lease (its message redelivered meanwhile) records nothing.
   */
  lease(chunkId: number, dispatch: number, now: number): Lease | null {
    const row = this.chunkRow(chunkId)
    if (row?.dispatched !== 1 || row.dispatch !== dispatch) return null
    const lease = row.lease + 1
    this.sql.exec(
      'UPDATE chunks SET lease = ?, lease_open = 1, leased_at = ? WHERE id = ?',
      lease,
      now,
      chunkId,
    )
    const states = new Uint8Array(row.states)
    const open: number[] = []
    for (let i = 0; i < states.length; i++) if (states[i] === TASK_STATE.open) open.push(row.first_seq + i)
    return { lease, firstSeq: row.first_seq, start: row.byte_start, end: row.byte_end, open }
  }

  /**
   * Records a report made under the chunk's current lease, whole or not at all: every result must
   * be of an open task. Returns what it adds and the tasks recorded, or null when refused.
   */
  record(report: ChunkReport): { tally: Tally; recorded: number } | null {
    const row = this.chunkRow(report.chunkId)
    if (!row || row.lease !== report.lease || row.lease_open !== 1) return null
    const states = new Uint8Array(row.states)
    const written = bitsFor(states.length)
    const tally = emptyTally()
    let rerunnable = 0
    for (let i = 0; i < report.seqs.length; i++) {
      const index = report.seqs[i]! - row.first_seq
      const state = report.states[i]!
      if (index < 0 || index >= states.length || states[index] !== TASK_STATE.open) return null
      if (bitIsSet(written, index)) return null
      setBit(written, index)
      states[index] = state
      if (isFailedState(state)) tally.failed++
      else tally.completed++
      if (state === TASK_STATE.invalid) tally.invalid++
      if (state === TASK_STATE.failed) rerunnable++
      if (state === TASK_STATE.needsReview) tally.needsReview++
    }
    tally.cacheHits = report.sums.cacheHits
    tally.costUsd = report.sums.costUsd
    tally.usage = { ...report.sums.usage }
    const recorded = report.seqs.length
    const open = row.open - recorded
    this.atomically(() => {
      this.sql.exec(
        `UPDATE chunks SET states = ?, open = ?, failed = failed + ?, rerunnable = rerunnable + ?,
           lease_open = 0, dispatched = CASE WHEN ? = 0 THEN 0 ELSE dispatched END WHERE id = ?`,
        states,
        open,
        tally.failed,
        rerunnable,
        open,
        report.chunkId,
      )
      this.sql.exec(
        'INSERT INTO parts (chunk, lease, key, written, live) VALUES (?, ?, ?, ?, ?)',
        report.chunkId,
        report.lease,
        report.part,
        written,
        written,
      )
    })
    return { tally, recorded }
  }

  /** Fails the open tasks of chunks matching `where`, with `error` as their line; returns how many. */
  private failOpenWhere(where: string, bindings: unknown[], error: TaskError): number {
    const rows = this.sql
      .exec<{ id: number; states: ArrayBuffer; open: number }>(
        `SELECT id, states, open FROM chunks WHERE ${where}`,
        ...bindings,
      )
      .toArray()
    let failed = 0
    const fallback = JSON.stringify(error)
    this.atomically(() => {
      for (const row of rows) {
        const states = new Uint8Array(row.states)
        for (let i = 0; i < states.length; i++)
          if (states[i] === TASK_STATE.open) states[i] = TASK_STATE.failed
        failed += row.open
        this.sql.exec(
          `UPDATE chunks SET states = ?, failed = failed + open, rerunnable = rerunnable + open, open = 0,
             dispatched = 0, lease_open = 0, fallback = ? WHERE id = ?`,
          states,
          fallback,
          row.id,
        )
      }
    })
    return failed
  }

  /** Dead-letter path: the open tasks of a chunk still dispatched under `dispatch` fail with `error`. */
  failChunk(chunkId: number, dispatch: number, error: TaskError): number {
    return this.failOpenWhere(
      'id = ? AND dispatched = 1 AND dispatch = ? AND open > 0',
      [chunkId, dispatch],
      error,
    )
  }

  /** Fails every task without a result (cancel, or a batch that cannot go on); returns how many. */
  failAllOpen(error: TaskError): number {
    return this.failOpenWhere('open > 0', [], error)
  }

  /**
   * Hands a chunk dispatched under `dispatch` back, to be dispatched again (under a new number)
   * no sooner than `notBefore`; returns its open tasks, or 0 when it is not dispatched so.
   */
  defer(chunkId: number, dispatch: number, notBefore: number): number {
    const row = this.chunkRow(chunkId)
    if (row?.dispatched !== 1 || row.dispatch !== dispatch) return 0
    this.sql.exec(
      'UPDATE chunks SET dispatched = 0, lease_open = 0, not_before = ? WHERE id = ?',
      notBefore,
      chunkId,
    )
    return row.open
  }

  /** When the earliest chunk waiting out a backoff may be dispatched, or null with none waiting. */
  nextDeferredAt(now: number): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        'SELECT min(not_before) AS at FROM chunks WHERE dispatched = 0 AND open > 0 AND not_before > ?',
        now,
      )
      .one().at
  }

  /** Hands a dispatched chunk back, so its open tasks are dispatched again; returns them. */
  release(chunkId: number): number {
    const row = this.chunkRow(chunkId)
    if (row?.dispatched !== 1) return 0
    this.sql.exec('UPDATE chunks SET dispatched = 0, lease_open = 0 WHERE id = ?', chunkId)
    return row.open
  }

  /** Releases chunks whose lease is older than `before`; returns the tasks released. */
  releaseStale(before: number): number {
    const stale = this.sql
      .exec<{ id: number }>('SELECT id FROM chunks WHERE dispatched = 1 AND leased_at < ?', before)
      .toArray()
    return stale.reduce((sum, chunk) => sum + this.release(chunk.id), 0)
  }

  /** When the oldest lease was taken, or null with nothing dispatched. */
  oldestLeaseAt(): number | null {
    return this.sql
      .exec<{ at: number | null }>('SELECT min(leased_at) AS at FROM chunks WHERE dispatched = 1')
      .one().at
  }

  rerunnableCount(): number {
    return this.sql.exec<{ n: number | null }>('SELECT sum(rerunnable) AS n FROM chunks').one().n ?? 0
  }

  /** Makes failed, rerunnable tasks open again (their old lines no longer count); returns how many. */
  requeueFailed(): number {
    const rows = this.sql
      .exec<{ id: number; states: ArrayBuffer; rerunnable: number }>(
        'SELECT id, states, rerunnable FROM chunks WHERE rerunnable > 0',
      )
      .toArray()
    this.atomically(() => {
      for (const row of rows) {
        const states = new Uint8Array(row.states)
        const requeued: number[] = []
        states.forEach((state, i) => {
          if (state === TASK_STATE.failed) {
            states[i] = TASK_STATE.open
            requeued.push(i)
          }
        })
        this.sql.exec(
          `UPDATE chunks SET states = ?, open = open + ?, failed = failed - ?, rerunnable = 0, fallback = NULL,
             dispatched = 0, lease_open = 0 WHERE id = ?`,
          states,
          requeued.length,
          requeued.length,
          row.id,
        )
        const parts = this.sql
          .exec<{ lease: number; live: ArrayBuffer }>('SELECT lease, live FROM parts WHERE chunk = ?', row.id)
          .toArray()
        for (const part of parts) {
          const live = new Uint8Array(part.live)
          for (const i of requeued) clearBit(live, i)
          this.sql.exec('UPDATE parts SET live = ? WHERE chunk = ? AND lease = ?', live, row.id, part.lease)
        }
      }
    })
    return rows.reduce((sum, row) => sum + row.rerunnable, 0)
  }

  /** Chunks holding tasks after `afterSeq`, in order (with failures only, for the errors listing). */
  chunksAfter(afterSeq: number, limit: number, failedOnly = false): StoredChunk[] {
    const rows = this.sql
      .exec<ChunkRow>(
        `SELECT id, first_seq, byte_start, byte_end, states, fallback FROM chunks
         WHERE last_seq > ? ${failedOnly ? 'AND failed > 0' : ''} ORDER BY last_seq LIMIT ?`,
        afterSeq,
        limit,
      )
      .toArray()
    if (!rows.length) return []
    const first = rows[0]!
    const last = rows.at(-1)!
    const lastSeq = last.first_seq + new Uint8Array(last.states).length - 1
    const parts = new Map<number, PartView[]>()
    for (const part of this.sql.exec<{ chunk: number; key: string; written: ArrayBuffer; live: ArrayBuffer }>(
      'SELECT chunk, key, written, live FROM parts WHERE chunk BETWEEN ? AND ? ORDER BY chunk, lease',
      first.id,
      last.id,
    )) {
      const list = parts.get(part.chunk) ?? []
      list.push({ key: part.key, written: new Uint8Array(part.written), live: new Uint8Array(part.live) })
      parts.set(part.chunk, list)
    }
    const errors = this.sql
      .exec<{ seq: number; custom_id: string; error: string }>(
        'SELECT seq, custom_id, error FROM ingest_errors WHERE seq BETWEEN ? AND ? ORDER BY seq',
        first.first_seq,
        lastSeq,
      )
      .toArray()
    return rows.map((row) => {
      const states = new Uint8Array(row.states)
      const end = row.first_seq + states.length
      return {
        id: row.id,
        firstSeq: row.first_seq,
        states,
        start: row.byte_start,
        end: row.byte_end,
        parts: (parts.get(row.id) ?? []).filter((part) => part.live.some((byte) => byte !== 0)),
        ingestErrors: errors
          .filter((error) => error.seq >= row.first_seq && error.seq < end)
          .map((error) => ({ seq: error.seq, customId: error.custom_id, error: JSON.parse(error.error) })),
        fallback: row.fallback ? JSON.parse(row.fallback) : null,
      }
    })
  }

  /** Bytes of the object's SQLite database, for the benchmarks. */
  databaseBytes(): number {
    return this.sql.databaseSize
  }
}
