// The plan's limits on what a tenant may create (webhook endpoints, integrations) or hold open
// (event streams): each caps how many requests one tenant can make the platform send or keep
// busy. Going past one is refused with `plan_limit_reached`, naming the limit in the details;
// what already exists keeps working when a plan shrinks.
import { count, eq } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Database } from '../../shared/db/client'
import { tenantRow } from '../../shared/db/tenant-rows'
import { AppError } from '../../shared/errors'

export type PlanLimit = 'max_webhook_endpoints' | 'max_integrations' | 'max_open_streams'

/** 409 for a create past the limit; 429 (with Retry-After) for a slot that frees with time. */
export function planLimitReached(options: {
  limit: PlanLimit
  max: number
  what: string
  retryAfterSeconds?: number
}): AppError {
  const { limit, max, what, retryAfterSeconds } = options
  return new AppError(
    'plan_limit_reached',
    retryAfterSeconds === undefined ? 409 : 429,
    `The plan allows ${max} ${what} (${limit}).`,
    { limit, max },
    retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) },
  )
}

type TenantTable = SQLiteTable & { id: SQLiteColumn; tenantId: SQLiteColumn }

const tenantCount = (database: Database, table: TenantTable, tenantId: string) =>
  database.select({ rows: count() }).from(table).where(eq(table.tenantId, tenantId))

/**
 * Inserts a tenant's row with `insert` unless the tenant holds `max` rows of the table already.
 * The count is taken again after the insert and an insert that went past the limit is undone,
 * so concurrent creates cannot leave the tenant over it (at worst both of a racing pair are
 * refused).
 */
export async function insertWithinLimit<Row>(
  database: Database,
  options: {
    table: TenantTable
    row: { id: string; tenantId: string }
    insert: () => Promise<Row>
    limit: PlanLimit
    max: number
    what: string
  },
): Promise<Row> {
  const { table, row, limit, max, what } = options
  const [before] = await tenantCount(database, table, row.tenantId)
  if ((before?.rows ?? 0) >= max) throw planLimitReached({ limit, max, what })
  const inserted = await options.insert()
  const [after] = await tenantCount(database, table, row.tenantId)
  if ((after?.rows ?? 0) > max) {
    await database.delete(table).where(tenantRow(table, row))
    throw planLimitReached({ limit, max, what })
  }
  return inserted
}
