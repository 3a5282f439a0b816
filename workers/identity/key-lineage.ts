// Keys answer for their creator. api_keys.created_by holds the actor that made a key: a user, or a
// key when a key made a key. When a member leaves a tenant, every key down their chain is revoked;
// when their role shrinks, each keeps only the scopes the new role has, and one left with none is
// revoked. D1 is written first, then the tenant's TenantCoordinator, which the rate-limit check of
// every request asks: the change holds on the next request in every isolate, whatever it cached.
import { and, eq, inArray, isNull } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { tenantCoordinator } from '../../durable-objects/stubs'
import { type Database, db } from '../../shared/db/client'
import { idSlices } from '../../shared/db/id-lists'
import { type ApiKey, apiKeys } from '../../shared/db/schema'
import type { Scope } from './principal'

type KeyLink = Pick<ApiKey, 'id' | 'scopes' | 'createdBy' | 'revokedAt'>

export type KeyRestriction = {
  /** Every key of the member's chain, as keysCreatedBy finds it. */
  chain: string[]
  /** Keys this call revoked, and keys it narrowed (with the scopes each kept). */
  revoked: string[]
  narrowed: { id: string; scopes: Scope[] }[]
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    const group = groups.get(key)
    if (group) group.push(item)
    else groups.set(key, [item])
  }
  return groups
}

/**
 * The tenant's keys the actor (a user or key id) created, the keys those keys created, and so on;
 * revoked ones included, since a key revoked later may have made a key still live.
 */
export async function keysCreatedBy(database: Database, tenantId: string, actor: string): Promise<KeyLink[]> {
  const rows = await database
    .select({
      id: apiKeys.id,
      scopes: apiKeys.scopes,
      createdBy: apiKeys.createdBy,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
  const byCreator = groupBy(rows, (row) => row.createdBy ?? '')
  const found: KeyLink[] = []
  const seen = new Set([actor])
  const creators = [actor]
  for (let creator = creators.pop(); creator !== undefined; creator = creators.pop()) {
    for (const key of byCreator.get(creator) ?? []) {
      if (seen.has(key.id)) continue
      seen.add(key.id)
      found.push(key)
      creators.push(key.id)
    }
  }
  return found
}

async function writeRestrictions(
  database: Database,
  tenantId: string,
  { revoked, narrowed }: Pick<KeyRestriction, 'revoked' | 'narrowed'>,
): Promise<void> {
  const now = Math.floor(Date.now() / 1000)
  const inTenant = (ids: string[]) => and(eq(apiKeys.tenantId, tenantId), inArray(apiKeys.id, ids))
  const writes: BatchItem<'sqlite'>[] = idSlices(revoked).map((ids) =>
    database
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(inTenant(ids), isNull(apiKeys.revokedAt))),
  )
  for (const [scopes, keys] of groupBy(narrowed, (key) => key.scopes.join(' '))) {
    for (const ids of idSlices(keys.map((key) => key.id))) {
      writes.push(
        database
          .update(apiKeys)
          .set({ scopes: scopes.split(' ') })
          .where(inTenant(ids)),
      )
    }
  }
  const [first, ...rest] = writes
  if (first) await database.batch([first, ...rest])
}

/**
 * Follows a member's change down the keys they created: `scopes` null when they left (every key
 * is revoked), else the scopes of their new role. Safe to repeat after a failure: the coordinator
 * is told again about every key of the chain, also those D1 already holds as changed.
 */
export async function restrictKeysCreatedBy(
  env: Env,
  change: { tenantId: string; actor: string; scopes: Scope[] | null },
): Promise<KeyRestriction> {
  const database = db(env.DB)
  const chain = await keysCreatedBy(database, change.tenantId, change.actor)
  const allowed = change.scopes ?? []
  const live = chain
    .filter((key) => key.revokedAt === null)
    .map((key) => ({
      id: key.id,
      before: key.scopes,
      scopes: (key.scopes as Scope[]).filter((scope) => allowed.includes(scope)),
    }))
  const now: KeyRestriction = {
    chain: chain.map((key) => key.id),
    revoked: live.filter((key) => !key.scopes.length).map((key) => key.id),
    narrowed: live
      .filter((key) => key.scopes.length && key.scopes.length < key.before.length)
      .map(({ id, scopes }) => ({ id, scopes })),
  }
  await writeRestrictions(database, change.tenantId, now)

  const kept = live.filter((key) => key.scopes.length)
  const revoke = [...chain.filter((key) => key.revokedAt !== null).map((key) => key.id), ...now.revoked]
  if (revoke.length || kept.length) {
    await tenantCoordinator(env, change.tenantId).restrictApiKeys({
      revoke,
      narrow: kept.map((key) => ({ keyId: key.id, scopes: key.scopes })),
    })
  }
  return now
}
