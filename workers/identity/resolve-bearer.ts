// Turns an `Authorization: Bearer …` credential into a principal: an API key, one of our own
// access tokens, or a token from the tenant's OpenID Connect issuer.
import { decodeJwt } from 'jose'
import { db } from '../../shared/db/client'
import { API_KEY_PREFIX, principalFromApiKey } from './api-keys'
import { principalForMember } from './members'
import { principalFromOidcToken } from './oidc'
import type { Principal } from './principal'
import { verifyAccessToken } from './tokens'

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/

export async function resolveBearer(
  env: Env,
  token: string,
  keepAlive: (work: Promise<unknown>) => void,
): Promise<Principal | null> {
  const database = db(env.DB)
  if (token.startsWith(API_KEY_PREFIX)) return principalFromApiKey(database, token, keepAlive)
  if (!JWT_SHAPE.test(token)) return null

  let issuer: string | undefined
  try {
    issuer = decodeJwt(token).iss
  } catch {
    return null
  }
  if (!issuer) return null
  if (issuer !== env.JWT_ISSUER) return principalFromOidcToken(database, token, issuer)

  const claims = await verifyAccessToken(env, token)
  return claims && principalForMember(database, { ...claims, via: 'password' })
}
