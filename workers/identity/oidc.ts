// Tokens from a tenant's own OpenID Connect issuer, verified against its JWKS and mapped to a
// member of that tenant by the email claim. Nothing is fetched for a token that is not a
// well-formed JWS with an allowed algorithm or whose issuer no tenant has configured; the key
// set itself is cached across requests (see jwks-cache.ts).
import { eq } from 'drizzle-orm'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import type { Database } from '../../shared/db/client'
import { tenants } from '../../shared/db/schema'
import type { UrlGuardEnv } from '../../shared/net/url-guard'
import { tenantKeySet } from './jwks-cache'
import { principalForMember } from './members'
import type { Principal } from './principal'

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA']
const CLOCK_TOLERANCE_SECONDS = 5
const JWS_SEGMENT = /^[\w-]+$/

/** Three non-empty base64url segments and a protected header naming an allowed algorithm. */
export function isSignedWithAllowedAlg(token: string): boolean {
  const segments = token.split('.')
  if (segments.length !== 3 || !segments.every((segment) => JWS_SEGMENT.test(segment))) return false
  try {
    const { alg } = decodeProtectedHeader(token)
    return typeof alg === 'string' && ALGORITHMS.includes(alg)
  } catch {
    return false
  }
}

export async function principalFromOidcToken(
  env: UrlGuardEnv,
  database: Database,
  token: string,
  issuer: string,
): Promise<Principal | null> {
  if (!isSignedWithAllowedAlg(token)) return null
  const tenant = await database.query.tenants.findFirst({ where: eq(tenants.oidcIssuer, issuer) })
  if (!tenant?.oidcJwksUrl) return null

  try {
    const { payload } = await jwtVerify(token, await tenantKeySet(env, tenant.oidcJwksUrl), {
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
