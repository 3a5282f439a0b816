// Inbound hooks answer at once and queue their work: the receipt is recorded (deduplicating the
// delivery by its id and its body) and a `hook_batches` message goes on the `webhooks` queue, whose consumer creates
// the batches as the integration. Each batch's Idempotency-Key is derived from the delivery, so
// a redelivered message creates nothing twice.
import { db } from '../../shared/db/client'
import type { Integration } from '../../shared/db/schema'
import type { ErrorCode } from '../../shared/error-codes'
import { AppError } from '../../shared/errors'
import { webhooksQueue } from '../../shared/queues'
import { batchCreateSchema } from '../../shared/schemas/batches'
import type { HookBatch, HookWorkMessage } from '../../shared/webhooks/messages'
import { createBatch } from '../batches/create-batch'
import { recordAudit } from '../identity/audit'
import { integrationPrincipal } from './integration-principal'
import { firstReceipt, forgetReceipt } from './receipts'

export type HookAck = { received: true; duplicate: boolean; ignored?: string }

export async function queueHookBatches(
  env: Pick<Env, 'DB' | 'WEBHOOKS'>,
  options: {
    integration: Integration
    source: string
    deliveryId: string
    body: Uint8Array
    batches: HookBatch[]
  },
): Promise<HookAck> {
  const database = db(env.DB)
  const receipt = {
    tenantId: options.integration.tenantId,
    source: options.source,
    deliveryId: options.deliveryId,
    body: options.body,
  }
  if (!(await firstReceipt(database, receipt))) return { received: true, duplicate: true }
  const work: HookWorkMessage = {
    kind: 'hook_batches',
    tenantId: receipt.tenantId,
    integrationId: options.integration.id,
    receipt: `${options.source}:${options.deliveryId}`,
    batches: options.batches,
  }
  try {
    await webhooksQueue(env).send(work)
  } catch (error) {
    await forgetReceipt(database, receipt)
    throw error
  }
  return { received: true, duplicate: false }
}

/**
 * Creates the batches of a `hook_batches` message. A refusal the caller can fix (bad params,
 * unknown task) is audited and dropped; a quota refusal (429) asks for a later retry until the
 * last attempt. Answers whether to retry.
 */
export async function startHookBatches(
  env: Env,
  work: HookWorkMessage,
  lastAttempt: boolean,
): Promise<boolean> {
  const database = db(env.DB)
  const principal = await integrationPrincipal(database, work.tenantId, work.integrationId)
  if (!principal) return false
  const refuse = (task: string, code: ErrorCode, message: string) =>
    recordAudit(database, {
      tenantId: work.tenantId,
      actor: work.integrationId,
      action: 'hook.batch_refused',
      target: work.integrationId,
      details: { receipt: work.receipt, task, code, message },
    })
  for (const batch of work.batches) {
    const body = batchCreateSchema.safeParse(batch)
    if (!body.success) {
      await refuse(batch.task, 'validation_failed', body.error.message)
      continue
    }
    try {
      await createBatch(env, principal, body.data, `hook:${work.receipt}:${batch.task}`.slice(0, 255))
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error
      if (error.status === 429 && !lastAttempt) return true
      await refuse(batch.task, error.code, error.message)
    }
  }
  return false
}
