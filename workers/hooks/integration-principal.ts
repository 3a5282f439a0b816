// Batches an inbound hook starts are created as the integration: a write-scoped principal of
// the integration's tenant with the tenant's current plan, so quotas apply as to any caller.
import { eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { plans, tenants } from '../../shared/db/schema'
import type { Principal } from '../identity/principal'

export async function integrationPrincipal(
  database: Database,
  tenantId: string,
  integrationId: string,
): Promise<Principal | null> {
  const [row] = await database
    .select({ plan: plans })
    .from(tenants)
    .innerJoin(plans, eq(plans.id, tenants.planId))
    .where(eq(tenants.id, tenantId))
  if (!row) return null
  return { kind: 'api_key', keyId: integrationId, tenantId, scopes: ['write'], plan: row.plan }
}
