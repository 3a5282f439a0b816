// Tokens from a tenant's own OpenID Connect issuer, verified against its JWKS and mapped to a
// member of that tenant by the email claim.
import { eq } from 'drizzle-orm'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { Database } from '../../shared/db/client'
import { tenants } from '../../shared/db/schema'
import { principalForMember } from './members'
import type { Principal } from './principal'

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA']
const CLOCK_TOLERANCE_SECONDS = 5

export async function principalFromOidcToken(
  database: Database,
  token: string,
  issuer: string,
): Promise<Principal | null> {
  const tenant = await database.query.tenants.findFirst({ where: eq(tenants.oidcIssuer, issuer) })
  if (!tenant?.oidcJwksUrl) return null

  try {
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(tenant.oidcJwksUrl)), {
      algorithms: ALGORITHMS,
      issuer,
      audience: tenant.oidcAudience ?? undefined,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp'],
    })
    if (typeof payload.email !== 'string' || payload.email_verified === false) return null
    return principalForMember(database, { tenantId: tenant.id, email: payload.email, via: 'oidc' })
  } catch {
    return null
  }
}
