// One per tenant (named by the tenant id): answers of earlier identical requests (same task,
// route, rendered prompt and params), so a repeat costs nothing. Entries live for a week; an
// alarm sweeps expired ones. A cache miss or a failed lookup only means the provider is called.
import { DurableObject } from 'cloudflare:workers'
import { z } from 'zod'

export const CACHE_TTL_MS = 7 * 24 * 60 * 60 * 1000
const SWEEP_EVERY_MS = 6 * 60 * 60 * 1000

/** What a cache hit gives back (stored as JSON text). */
export type CachedAnswer = { output: unknown; provider: string; model: string }

const cacheKey = z.string().regex(/^[0-9a-f]{64}$/)
const keysSchema = z.array(cacheKey).max(1000)
const entriesSchema = z.array(z.object({ key: cacheKey, answer: z.string() })).max(1000)

export class ResponseCache extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        'CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT NOT NULL, expires_at INTEGER NOT NULL)',
      )
    })
  }

  /** The cached answers (JSON of CachedAnswer) among `keys`, keyed by key. */
  async lookup(keys: string[]): Promise<Record<string, string>> {
    const wanted = keysSchema.parse(keys)
    if (!wanted.length) return {}
    const rows = this.ctx.storage.sql.exec<{ key: string; answer: string }>(
      'SELECT key, answer FROM answers WHERE key IN (SELECT value FROM json_each(?)) AND expires_at > ?',
      JSON.stringify(wanted),
      Date.now(),
    )
    const found: Record<string, string> = {}
    for (const row of rows) found[row.key] = row.answer
    return found
  }

  async store(entries: { key: string; answer: string }[]): Promise<void> {
    const valid = entriesSchema.parse(entries)
    if (!valid.length) return
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO answers (key, answer, expires_at)
       SELECT value ->> '$.key', value ->> '$.answer', ? FROM json_each(?)`,
      Date.now() + CACHE_TTL_MS,
      JSON.stringify(valid),
    )
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + SWEEP_EVERY_MS)
  }

  override async alarm(): Promise<void> {
    this.ctx.storage.sql.exec('DELETE FROM answers WHERE expires_at <= ?', Date.now())
    const left = this.ctx.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM answers').one().n
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + SWEEP_EVERY_MS)
  }
}
