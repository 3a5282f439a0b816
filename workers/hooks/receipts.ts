// Replay and retry protection for inbound hooks: a delivery id is accepted once per
// (tenant, source) within RECEIPT_RETENTION_SECONDS — longer than any sender retries
// (Shopify: hours, Stripe: 3 days) — and older receipts are pruned as new ones arrive.
import { and, eq, lt } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { inboundReceipts } from '../../shared/db/schema'

export const RECEIPT_RETENTION_SECONDS = 7 * 86400

type Receipt = { tenantId: string; source: string; deliveryId: string }

const sameSource = (receipt: Receipt) =>
  and(eq(inboundReceipts.tenantId, receipt.tenantId), eq(inboundReceipts.source, receipt.source))

/** Records the delivery; false when it was received before (a replay or a sender's retry). */
export async function firstReceipt(database: Database, receipt: Receipt): Promise<boolean> {
  const now = Math.floor(Date.now() / 1000)
  const [, inserted] = await database.batch([
    database
      .delete(inboundReceipts)
      .where(and(sameSource(receipt), lt(inboundReceipts.receivedAt, now - RECEIPT_RETENTION_SECONDS))),
    database
      .insert(inboundReceipts)
      .values({ ...receipt, receivedAt: now })
      .onConflictDoNothing()
      .returning({ deliveryId: inboundReceipts.deliveryId }),
  ])
  return inserted.length > 0
}

/** Undoes a receipt whose work could not be queued, so the sender's retry is processed. */
export async function forgetReceipt(database: Database, receipt: Receipt): Promise<void> {
  await database
    .delete(inboundReceipts)
    .where(and(sameSource(receipt), eq(inboundReceipts.deliveryId, receipt.deliveryId)))
}
