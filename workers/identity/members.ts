// Looks up a tenant member with the tenant's plan: the principal behind a JWT.
import { and, eq } from 'drizzle-orm'
import type { Database } from '../../shared/db/client'
import { memberships, plans, tenants, users } from '../../shared/db/schema'
import { type Principal, scopesForRole } from './principal'

type MemberLookup = { tenantId: string; via: 'password' | 'oidc' } & ({ userId: string } | { email: string })

export async function principalForMember(
  database: Database,
  lookup: MemberLookup,
): Promise<Principal | null> {
  const userMatch =
    'userId' in lookup ? eq(users.id, lookup.userId) : eq(users.email, lookup.email.toLowerCase())
  const rows = await database
    .select({ user: users, role: memberships.role, plan: plans })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .innerJoin(plans, eq(plans.id, tenants.planId))
    .where(and(eq(memberships.tenantId, lookup.tenantId), userMatch))
    .limit(1)
  const row = rows[0]
  if (!row) return null
  return {
    kind: 'user',
    tenantId: lookup.tenantId,
    userId: row.user.id,
    email: row.user.email,
    role: row.role,
    scopes: scopesForRole(row.role),
    plan: row.plan,
    via: lookup.via,
  }
}
