// Stubs of the Durable Objects; object names always start with the tenant id.

export function tenantCoordinator(env: Env, tenantId: string) {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId))
}

export function batchCoordinator(env: Env, tenantId: string, batchId: string) {
  return env.BATCHES.get(env.BATCHES.idFromName(`${tenantId}/${batchId}`))
}

export function responseCache(env: Env, tenantId: string) {
  return env.RESPONSE_CACHE.get(env.RESPONSE_CACHE.idFromName(tenantId))
}
