// Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, hashed in D1, rotated on use,
// in families: one per sign-in, revoked whole when a spent token comes back).
import { and, eq, gt, isNull, or } from 'drizzle-orm'
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

/** Whom a refresh token belongs to, and the family of the sign-in it was rotated from. */
export type RefreshOwner = { userId: string; tenantId: string; familyId?: string | undefined }

/**
 * Issues a refresh token. With `owner.familyId` it continues that sign-in's family (rotation);
 * without, it starts a family named by its own id.
 */
export async function issueRefreshToken(database: Database, owner: RefreshOwner) {
  const token = `iab_rt_${randomSecret(32)}`
  const id = newId('rt')
  await database.insert(refreshTokens).values({
    id,
    tenantId: owner.tenantId,
    userId: owner.userId,
    tokenHash: await sha256Hex(token),
    familyId: owner.familyId ?? id,
    expiresAt: Math.floor(Date.now() / 1000) + REFRESH_TOKEN_TTL_SECONDS,
  })
  return token
}

type StoredToken = Pick<typeof refreshTokens.$inferSelect, 'id' | 'familyId'>

/** Rows from before families existed have none: each is then its own family. */
const familyOf = (row: StoredToken) => row.familyId ?? row.id

async function revokeFamily(database: Database, row: StoredToken, now: number) {
  await database
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(
      and(
        or(eq(refreshTokens.familyId, familyOf(row)), eq(refreshTokens.id, row.id)),
        isNull(refreshTokens.revokedAt),
      ),
    )
}

export type RefreshRotation =
  | { outcome: 'rotated'; owner: Required<RefreshOwner> }
  /** A spent token came back: someone holds a copy, so its whole family was revoked. */
  | { outcome: 'reused'; owner: Required<RefreshOwner> }
  | { outcome: 'invalid' }

/**
 * Spends a live refresh token and answers its owner with the family the next token continues.
 * The single conditional UPDATE makes a token usable exactly once. Presenting a token that was
 * already spent or revoked revokes every token of its family, the one that replaced it too
 * (OAuth 2.0 Security BCP, refresh token rotation).
 */
export async function rotateRefreshToken(database: Database, token: string): Promise<RefreshRotation> {
  const now = Math.floor(Date.now() / 1000)
  const hash = await sha256Hex(token)
  const owner = {
    userId: refreshTokens.userId,
    tenantId: refreshTokens.tenantId,
    id: refreshTokens.id,
    familyId: refreshTokens.familyId,
    revokedAt: refreshTokens.revokedAt,
  }
  const [spent] = await database
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, hash),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning(owner)
  if (spent) {
    const { userId, tenantId } = spent
    return { outcome: 'rotated', owner: { userId, tenantId, familyId: familyOf(spent) } }
  }
  const [known] = await database.select(owner).from(refreshTokens).where(eq(refreshTokens.tokenHash, hash))
  // Unknown, or expired without being spent: nothing to revoke.
  if (!known || known.revokedAt === null) return { outcome: 'invalid' }
  await revokeFamily(database, known, now)
  const { userId, tenantId } = known
  return { outcome: 'reused', owner: { userId, tenantId, familyId: familyOf(known) } }
}

/**
 * Ends the session a refresh token belongs to: revokes every token of its family. Answers the
 * owner when the token was live, null when it was unknown, expired or already revoked.
 */
export async function consumeRefreshToken(database: Database, token: string) {
  const now = Math.floor(Date.now() / 1000)
  const [row] = await database
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await sha256Hex(token)))
  if (!row) return null
  await revokeFamily(database, row, now)
  if (row.revokedAt !== null || row.expiresAt <= now) return null
  return { userId: row.userId, tenantId: row.tenantId }
}

/** Revokes every live refresh token of a user in one tenant, as when they leave it. */
export async function revokeRefreshTokensOf(
  database: Database,
  member: { userId: string; tenantId: string },
) {
  const revoked = await database
    .update(refreshTokens)
    .set({ revokedAt: Math.floor(Date.now() / 1000) })
    .where(
      and(
        eq(refreshTokens.tenantId, member.tenantId),
        eq(refreshTokens.userId, member.userId),
        isNull(refreshTokens.revokedAt),
      ),
    )
    .returning({ id: refreshTokens.id })
  return revoked.length
}

/** The body of every answer that signs someone in: an access token and a new refresh token family. */
export async function issueTokenPair(env: TokenEnv, database: Database, owner: RefreshOwner) {
  return {
    token_type: 'Bearer' as const,
    access_token: await issueAccessToken(env, owner),
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: await issueRefreshToken(database, owner),
    tenant_id: owner.tenantId,
  }
}
