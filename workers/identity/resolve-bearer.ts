// Turns an `Authorization: Bearer …` credential into a principal: an API key, one of our own
// access tokens, or a token from the tenant's OpenID Connect issuer. Malformed credentials are
// refused offline for free; those that fail after costing work spend from the client address's
// failed-credentials budget, and once it is spent a lookup in D1 is refused before it runs.
import { decodeJwt } from 'jose'
import { db } from '../../shared/db/client'
import { failedCredentials } from '../security/failed-credentials'
import { API_KEY_PREFIX, principalFromApiKey } from './api-keys'
import { principalForMember } from './members'
import { isSignedWithAllowedAlg, principalFromOidcToken } from './oidc'
import type { Principal } from './principal'
import { verifyAccessToken } from './tokens'

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/
/** What generateApiKey makes: the prefix and 32 random bytes in base64url. */
const API_KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[\\w-]{43}$`)

export type ResolveBearerOptions = {
  /** The client address whose failed-credentials budget pays for credentials that fail. */
  ip: string
  /** Keeps alive work the answer need not wait for (last_used_at writes). */
  keepAlive: (work: Promise<unknown>) => void
}

/** The caller's principal, or null (401); throws 429 when the address spent its failures. */
export async function resolveBearer(
  env: Env,
  token: string,
  { ip, keepAlive }: ResolveBearerOptions,
): Promise<Principal | null> {
  const database = db(env.DB)
  const failures = failedCredentials(env, ip)

  if (token.startsWith(API_KEY_PREFIX)) {
    if (!API_KEY_SHAPE.test(token)) return null
    // A key this isolate has resolved, or already knows to be unknown, asks nobody.
    let lookedUp = false
    const principal = await principalFromApiKey(database, token, keepAlive, {
      beforeLookup: () => {
        lookedUp = true
        return failures.check()
      },
    })
    return principal ?? (lookedUp ? failures.spend() : null)
  }

  if (!JWT_SHAPE.test(token)) return null
  let issuer: string | undefined
  try {
    issuer = decodeJwt(token).iss
  } catch {
    return null
  }
  if (!issuer) return null

  if (issuer !== env.JWT_ISSUER) {
    if (!isSignedWithAllowedAlg(token)) return null
    // Finding the issuer's tenant is a D1 read, and its key set a fetch.
    await failures.check()
    return (await principalFromOidcToken(env, database, token, issuer)) ?? failures.spend()
  }
  // Our own tokens verify offline; a token that does not is a failed credential all the same.
  const claims = await verifyAccessToken(env, token)
  if (!claims) return failures.spend()
  return principalForMember(database, { ...claims, via: 'password' })
}
