import { type PresentedBatch, presentBatch } from '../../durable-objects/batch/present'
import { batchCoordinator } from '../../durable-objects/stubs'
import { db } from '../../shared/db/client'
import { batches, isFinished } from '../../shared/db/schema'
import { selectTenantRow } from '../../shared/db/tenant-rows'
import { errors } from '../../shared/errors'

/** The caller's batch, or 404 — also for another tenant's id. */
export async function loadBatchRow(env: Env, tenantId: string, batchId: string) {
  const row = await selectTenantRow(db(env.DB), batches, { id: batchId, tenantId })
  if (!row) throw errors.notFound('Batch')
  return row
}

/**
 * The batch with live counts, from its coordinator (named by tenant and batch, so another
 * tenant's id finds nothing) without a D1 read; from D1 when the coordinator has no row of it.
 */
export async function loadBatch(env: Env, tenantId: string, batchId: string): Promise<PresentedBatch> {
  const coordinator = batchCoordinator(env, tenantId, batchId)
  const presented = await coordinator.present()
  if (presented) return presented
  const row = await loadBatchRow(env, tenantId, batchId)
  if (isFinished(row.status)) return presentBatch(row)
  return presentBatch(row, await coordinator.summary())
}
