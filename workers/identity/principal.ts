// Who is calling: resolved from the bearer credential by the authenticate middleware.
import type { Plan, Role } from '../../shared/db/schema'

export const SCOPES = ['read', 'write', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

type Common = { tenantId: string; scopes: Scope[]; plan: Plan }

export type Principal =
  | (Common & { kind: 'api_key'; keyId: string })
  | (Common & { kind: 'user'; userId: string; email: string; role: Role; via: 'password' | 'oidc' })

const ROLE_SCOPES: Record<Role, Scope[]> = {
  owner: ['read', 'write', 'admin'],
  admin: ['read', 'write', 'admin'],
  member: ['read', 'write'],
  viewer: ['read'],
}

export function scopesForRole(role: Role): Scope[] {
  return ROLE_SCOPES[role]
}

/** The id recorded as the actor in the audit log and used as the per-caller rate-limit key. */
export function actorId(principal: Principal): string {
  return principal.kind === 'api_key' ? principal.keyId : principal.userId
}
