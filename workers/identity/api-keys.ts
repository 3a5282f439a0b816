// API keys: `iab_sk_` + 43 random characters, shown once; D1 keeps only their SHA-256.
import { eq } from 'drizzle-orm'
import { randomSecret, sha256Hex } from '../../shared/crypto'
import type { Database } from '../../shared/db/client'
import { apiKeys, plans, tenants } from '../../shared/db/schema'
import { tenantRow } from '../../shared/db/tenant-rows'
import type { Principal, Scope } from './principal'

export const API_KEY_PREFIX = 'iab_sk_'
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6
/** last_used_at is written at most this often per key, to keep writes off the hot path. */
const LAST_USED_RESOLUTION_SECONDS = 60

export async function generateApiKey(): Promise<{ key: string; prefix: string; hash: string }> {
  const key = `${API_KEY_PREFIX}${randomSecret(32)}`
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: await sha256Hex(key) }
}

/**
 * Resolves an API key to its principal, or null when it is unknown, revoked or expired.
 * `touch` receives the promise that records last_used_at, for the caller to keep alive.
 */
export async function principalFromApiKey(
  database: Database,
  key: string,
  touch: (write: Promise<unknown>) => void,
): Promise<Principal | null> {
  const rows = await database
    .select({ key: apiKeys, plan: plans })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .innerJoin(plans, eq(plans.id, tenants.planId))
    .where(eq(apiKeys.keyHash, await sha256Hex(key)))
    .limit(1)
  const row = rows[0]
  const now = Math.floor(Date.now() / 1000)
  if (!row || row.key.revokedAt !== null || (row.key.expiresAt !== null && row.key.expiresAt <= now))
    return null

  if (row.key.lastUsedAt === null || now - row.key.lastUsedAt >= LAST_USED_RESOLUTION_SECONDS) {
    touch(database.update(apiKeys).set({ lastUsedAt: now }).where(tenantRow(apiKeys, row.key)))
  }
  return {
    kind: 'api_key',
    tenantId: row.key.tenantId,
    keyId: row.key.id,
    scopes: row.key.scopes as Scope[],
    plan: row.plan,
  }
}
