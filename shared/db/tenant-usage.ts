// Per-tenant monthly totals of tasks, tokens, cost and cache hits, from batches and realtime calls.

export type UsageDelta = {
  tasks: number
  inputTokens: number
  outputTokens: number
  costUsd: number
  cacheHits: number
}

/** Adds usage to the tenant's totals for the current month (UTC). */
export async function addTenantUsage(db: D1Database, tenantId: string, delta: UsageDelta): Promise<void> {
  if (!delta.tasks && !delta.inputTokens && !delta.outputTokens && !delta.costUsd && !delta.cacheHits) return
  await db
    .prepare(
      `INSERT INTO tenant_usage (tenant_id, month, tasks, input_tokens, output_tokens, cost_usd, cache_hits)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
       ON CONFLICT (tenant_id, month) DO UPDATE SET tasks = tasks + ?3, input_tokens = input_tokens + ?4,
         output_tokens = output_tokens + ?5, cost_usd = cost_usd + ?6, cache_hits = cache_hits + ?7`,
    )
    .bind(
      tenantId,
      new Date().toISOString().slice(0, 7),
      delta.tasks,
      delta.inputTokens,
      delta.outputTokens,
      delta.costUsd,
      delta.cacheHits,
    )
    .run()
}
