// Queries on the tables whose rows belong to one tenant (an `id` and a `tenant_id` column). Each
// one filters on the tenant, so another tenant's id matches nothing.
import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Database } from './client'

type TenantTable = SQLiteTable & { id: SQLiteColumn; tenantId: SQLiteColumn }

/** Matches the one row of `table` with this id in this tenant. */
export function tenantRow(table: TenantTable, row: { id: string; tenantId: string }) {
  return and(eq(table.id, row.id), eq(table.tenantId, row.tenantId))
}

/**
 * The one row of `table` with this id in this tenant, or undefined. A plain select: drizzle's
 * relational `findFirst` costs about half a millisecond of CPU per call just to build its SQL.
 */
export async function selectTenantRow<T extends TenantTable>(
  database: Database,
  table: T,
  row: { id: string; tenantId: string },
): Promise<T['$inferSelect'] | undefined> {
  const [found] = await database
    .select()
    .from(table as TenantTable)
    .where(tenantRow(table, row))
    .limit(1)
  return found
}

/**
 * `limit + 1` of the tenant's rows after the `after` cursor, newest id first: what `listPage` takes.
 * `where` narrows the page further.
 */
export async function selectPage<T extends TenantTable>(
  database: Database,
  table: T,
  options: { tenantId: string; limit: number; after?: string | undefined; where?: SQL | undefined },
): Promise<T['$inferSelect'][]> {
  const { tenantId, limit, after, where } = options
  return database
    .select()
    .from(table as TenantTable)
    .where(and(eq(table.tenantId, tenantId), where, after ? lt(table.id, after) : undefined))
    .orderBy(desc(table.id))
    .limit(limit + 1)
}

/** Applies `changes` to a row of the tenant and answers the row as it is now. */
export async function updateTenantRow<T extends TenantTable>(
  database: Database,
  table: T,
  row: { id: string; tenantId: string },
  changes: Partial<T['$inferInsert']>,
): Promise<T['$inferSelect']> {
  const [updated] = await database
    .update(table as TenantTable)
    .set(changes)
    .where(tenantRow(table, row))
    .returning()
  return updated!
}
