// API keys: `iab_sk_` + 43 random characters, shown once; D1 keeps only their SHA-256.
// Resolved keys are cached per isolate for a minute. Revocation does not wait for that: revoking
// marks the key in its tenant's TenantCoordinator, which the rate-limit check of every request asks.
// A key narrowed since (its creator lost a role, see key-lineage.ts) keeps its cached scopes here,
// and the same check caps them.
// A plan change of the key's tenant does wait: a cached key keeps its old plan for up to the TTL.
import { eq } from 'drizzle-orm'
import { tenantCoordinator } from '../../durable-objects/stubs'
import { randomSecret, sha256Hex } from '../../shared/crypto'
import type { Database } from '../../shared/db/client'
import { type ApiKey, apiKeys, plans, tenants } from '../../shared/db/schema'
import { tenantRow } from '../../shared/db/tenant-rows'
import { TtlCache } from '../../shared/ttl-cache'
import type { Principal, Scope } from './principal'

export const API_KEY_PREFIX = 'iab_sk_'
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6
/** last_used_at is written at most this often per key, to keep writes off the hot path. */
const LAST_USED_RESOLUTION_SECONDS = 60
/**
 * How long an isolate reuses a resolved key instead of joining api_keys, tenants and plans in D1.
 * Short, because it is how late a plan change reaches a key in use.
 */
const RESOLVED_KEY_TTL_MS = 60_000

type ResolvedKey = {
  principal: Principal & { kind: 'api_key' }
  expiresAt: number | null
  lastUsedAt: number | null
}

/** By the key's SHA-256, never the key itself; only keys that resolved, so unknown keys cannot fill it. */
const resolvedKeys = new TtlCache<ResolvedKey>({ ttlMs: RESOLVED_KEY_TTL_MS, maxEntries: 10_000 })
/**
 * Hashes that resolved to nothing (unknown, revoked, expired), so a client repeating a bad key
 * costs no D1 read. Random keys never repeat: those the caller's failed-credentials budget stops
 * (see resolve-bearer.ts); the bound keeps them from growing the isolate.
 */
const unknownKeys = new TtlCache<true>({ ttlMs: RESOLVED_KEY_TTL_MS, maxEntries: 10_000 })

/** `beforeLookup` runs only when resolving the key takes a D1 read; it may throw to refuse. */
export type ApiKeyLookupOptions = { beforeLookup?: () => Promise<void> }

export async function generateApiKey(): Promise<{ key: string; prefix: string; hash: string }> {
  const key = `${API_KEY_PREFIX}${randomSecret(32)}`
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: await sha256Hex(key) }
}

/**
 * Resolves an API key to its principal, or null when it is unknown, revoked or expired. A key
 * revoked in another isolate may still resolve here: the rate-limit check refuses it.
 * `touch` receives the promise that records last_used_at, for the caller to keep alive.
 */
export async function principalFromApiKey(
  database: Database,
  key: string,
  touch: (write: Promise<unknown>) => void,
  { beforeLookup }: ApiKeyLookupOptions = {},
): Promise<Principal | null> {
  const hash = await sha256Hex(key)
  const resolved = resolvedKeys.get(hash) ?? (await lookUpApiKey(database, hash, beforeLookup))
  if (!resolved) return null
  const now = Math.floor(Date.now() / 1000)
  if (resolved.expiresAt !== null && resolved.expiresAt <= now) {
    resolvedKeys.delete(hash)
    unknownKeys.set(hash, true)
    return null
  }

  if (resolved.lastUsedAt === null || now - resolved.lastUsedAt >= LAST_USED_RESOLUTION_SECONDS) {
    resolved.lastUsedAt = now
    const { keyId: id, tenantId } = resolved.principal
    touch(database.update(apiKeys).set({ lastUsedAt: now }).where(tenantRow(apiKeys, { id, tenantId })))
  }
  return resolved.principal
}

async function lookUpApiKey(
  database: Database,
  hash: string,
  beforeLookup: ApiKeyLookupOptions['beforeLookup'],
): Promise<ResolvedKey | null> {
  if (unknownKeys.get(hash)) return null
  await beforeLookup?.()
  const resolved = await loadApiKey(database, hash)
  if (!resolved) unknownKeys.set(hash, true)
  return resolved
}

async function loadApiKey(database: Database, hash: string): Promise<ResolvedKey | null> {
  const rows = await database
    .select({ key: apiKeys, plan: plans })
    .from(apiKeys)
    .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
    .innerJoin(plans, eq(plans.id, tenants.planId))
    .where(eq(apiKeys.keyHash, hash))
    .limit(1)
  const row = rows[0]
  if (!row || row.key.revokedAt !== null) return null
  const resolved: ResolvedKey = {
    principal: {
      kind: 'api_key',
      tenantId: row.key.tenantId,
      keyId: row.key.id,
      scopes: row.key.scopes as Scope[],
      plan: row.plan,
    },
    expiresAt: row.key.expiresAt,
    lastUsedAt: row.key.lastUsedAt,
  }
  resolvedKeys.set(hash, resolved)
  return resolved
}

/**
 * Makes a key revoked in D1 fail on its next request in every isolate, those that cached it too.
 * Idempotent: call it again for an already revoked key when an earlier call may have failed.
 */
export async function announceRevokedKey(env: Env, key: Pick<ApiKey, 'id' | 'tenantId' | 'keyHash'>) {
  resolvedKeys.delete(key.keyHash)
  await tenantCoordinator(env, key.tenantId).revokeApiKey(key.id)
}
