import { db } from '../../shared/db/client'
import { batches, isFinished } from '../../shared/db/schema'
import { tenantRow } from '../../shared/db/tenant-rows'
import { errors } from '../../shared/errors'
import { batchCoordinator } from '../pipeline/coordinators'
import { presentBatch } from './present'

/** The caller's batch, or 404 — also for another tenant's id. */
export async function loadBatchRow(env: Env, tenantId: string, batchId: string) {
  const row = await db(env.DB).query.batches.findFirst({
    where: tenantRow(batches, { id: batchId, tenantId }),
  })
  if (!row) throw errors.notFound('Batch')
  return row
}

/** The batch with live counts from its coordinator while it runs. */
export async function loadBatch(env: Env, tenantId: string, batchId: string) {
  const row = await loadBatchRow(env, tenantId, batchId)
  if (isFinished(row.status)) return presentBatch(row)
  return presentBatch(row, await batchCoordinator(env, tenantId, batchId).summary())
}
