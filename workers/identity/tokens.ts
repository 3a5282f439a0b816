// Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, hashed in D1, rotated on use).
import { and, eq, gt, isNull } from 'drizzle-orm'
import { jwtVerify, SignJWT } from 'jose'
import { randomSecret, sha256Hex } from '../../shared/crypto'
import type { Database } from '../../shared/db/client'
import { refreshTokens } from '../../shared/db/schema'
import { newId } from '../../shared/ids'

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60
const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600
const CLOCK_TOLERANCE_SECONDS = 5
const ALGORITHM = 'HS256'

type TokenEnv = Pick<Env, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>

function signingKey(env: TokenEnv): Uint8Array {
  if (!env.JWT_SECRET || env.JWT_SECRET.length < 32)
    throw new Error('JWT_SECRET must be at least 32 characters.')
  return new TextEncoder().encode(env.JWT_SECRET)
}

export async function issueAccessToken(env: TokenEnv, claims: { userId: string; tenantId: string }) {
  return new SignJWT({ tid: claims.tenantId })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .sign(signingKey(env))
}

/** Returns the user and tenant a token was issued for, or null when it does not verify. */
export async function verifyAccessToken(env: TokenEnv, token: string) {
  try {
    const { payload } = await jwtVerify(token, signingKey(env), {
      algorithms: [ALGORITHM],
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp', 'tid'],
    })
    if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string') return null
    return { userId: payload.sub, tenantId: payload.tid }
  } catch {
    return null
  }
}

export async function issueRefreshToken(database: Database, owner: { userId: string; tenantId: string }) {
  const token = `iab_rt_${randomSecret(32)}`
  await database.insert(refreshTokens).values({
    id: newId('rt'),
    tenantId: owner.tenantId,
    userId: owner.userId,
    tokenHash: await sha256Hex(token),
    expiresAt: Math.floor(Date.now() / 1000) + REFRESH_TOKEN_TTL_SECONDS,
  })
  return token
}

/**
 * Revokes a live refresh token and returns whom it belonged to; null when it was unknown,
 * expired or already revoked. The single conditional UPDATE makes a token usable exactly once.
 */
export async function consumeRefreshToken(database: Database, token: string) {
  const now = Math.floor(Date.now() / 1000)
  const rows = await database
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, await sha256Hex(token)),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning({ userId: refreshTokens.userId, tenantId: refreshTokens.tenantId })
  return rows[0] ?? null
}
