// Replay and retry protection for inbound hooks. A delivery is recorded under two keys per
// (tenant, source): the sender's delivery id, and the SHA-256 of the raw body it signed. A
// delivery is first only when neither key was seen within RECEIPT_RETENTION_SECONDS — longer
// than any sender retries (Shopify: hours, Stripe: 3 days) — so a signed body re-sent under a
// new delivery id (an id header the signature does not cover, as Shopify's) is caught too.
// Older receipts are pruned as new ones arrive.
import { and, eq, inArray, lt } from 'drizzle-orm'
import { sha256Hex } from '../../shared/crypto'
import type { Database } from '../../shared/db/client'
import { inboundReceipts } from '../../shared/db/schema'

export const RECEIPT_RETENTION_SECONDS = 7 * 86400

/** Marks a body-digest key, so no delivery id (a sender's free-form string) reads as one by chance. */
const DIGEST_PREFIX = 'body-sha256:'

export type Receipt = {
  tenantId: string
  source: string
  /** The sender's delivery id, when it sends one. */
  deliveryId: string | null
  /** The raw request bytes, exactly as signed. */
  body: Uint8Array
}

type ReceiptKeys = { tenantId: string; source: string; keys: string[] }

async function receiptKeys(receipt: Receipt): Promise<ReceiptKeys> {
  const keys = [`${DIGEST_PREFIX}${await sha256Hex(receipt.body)}`]
  if (receipt.deliveryId) keys.unshift(receipt.deliveryId)
  return { tenantId: receipt.tenantId, source: receipt.source, keys }
}

const sameSource = (receipt: ReceiptKeys) =>
  and(eq(inboundReceipts.tenantId, receipt.tenantId), eq(inboundReceipts.source, receipt.source))

/**
 * Records the delivery under its id and its body's digest, in one transaction; false when
 * either was received before (a replay, a sender's retry, or the same body under a new id).
 */
export async function firstReceipt(database: Database, receipt: Receipt): Promise<boolean> {
  const keyed = await receiptKeys(receipt)
  const now = Math.floor(Date.now() / 1000)
  const insert = (deliveryId: string) =>
    database
      .insert(inboundReceipts)
      .values({ tenantId: keyed.tenantId, source: keyed.source, deliveryId, receivedAt: now })
      .onConflictDoNothing()
      .returning({ deliveryId: inboundReceipts.deliveryId })
  const [, ...inserted] = await database.batch([
    database
      .delete(inboundReceipts)
      .where(and(sameSource(keyed), lt(inboundReceipts.receivedAt, now - RECEIPT_RETENTION_SECONDS))),
    ...keyed.keys.map(insert),
  ])
  return inserted.every((rows) => rows.length > 0)
}

/** Undoes a receipt whose work could not be done, so the sender's retry is processed. */
export async function forgetReceipt(database: Database, receipt: Receipt): Promise<void> {
  const keyed = await receiptKeys(receipt)
  await database
    .delete(inboundReceipts)
    .where(and(sameSource(keyed), inArray(inboundReceipts.deliveryId, keyed.keys)))
}
