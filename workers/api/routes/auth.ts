// Sign-up, sign-in with email and password, refresh-token rotation and sign-out, each throttled
// per client address (sign-in per account too, with a lockout after wrong passwords); and the
// verification of the owner's email address that sign-up starts.
import { and, eq } from 'drizzle-orm'
import type { Context } from 'hono'
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../../shared/crypto'
import { db } from '../../../shared/db/client'
import { memberships, tenants, users } from '../../../shared/db/schema'
import { AppError, errors } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import {
  refreshSchema,
  signInSchema,
  signupSchema,
  tokenResponseSchema,
} from '../../../shared/schemas/identity'
import { recordAudit } from '../../identity/audit'
import { sendVerificationMail } from '../../identity/email-verification'
import {
  consumeRefreshToken,
  issueTokenPair,
  type RefreshOwner,
  rotateRefreshToken,
} from '../../identity/tokens'
import {
  admitSignIn,
  clearWrongPasswords,
  recordWrongPassword,
  type SignInAttempt,
} from '../../security/sign-in-throttle'
import { clientIp, enforceClientThrottle, THROTTLE_LIMITS } from '../../security/throttle'
import type { AppEnv } from '../context'
import { createRouter, errorResponse, json, jsonBody, publicRoute } from '../openapi'
import { auditContext } from '../request-context'
import { emailVerificationRoutes } from './email-verification'

const DEFAULT_PLAN = 'free'
const tokens = json(tokenResponseSchema, 'An access token and a refresh token.')
const unauthenticated = errorResponse('The credentials are not valid.')
const throttledResponse = errorResponse('Too many attempts; see Retry-After.')
const REFRESH_THROTTLED = 'Too many refresh-token requests from this address.'

/** The refresh token continues the owner's family when it carries one (a rotation). */
const tokenPair = (c: Context<AppEnv>, owner: RefreshOwner) => issueTokenPair(c.env, db(c.env.DB), owner)

/**
 * Counts a wrong password against the account (an unknown email's too, so the lockout reveals
 * nothing), audits it for a registered user, and audits the lock when this failure starts one.
 */
async function wrongPassword(
  c: Context<AppEnv>,
  attempt: SignInAttempt,
  user: { userId: string; tenantIds: string[]; memberOf: string[] } | null,
) {
  const { lockedForSeconds, failures } = await recordWrongPassword(c.env, attempt)
  if (!user) return
  const database = db(c.env.DB)
  for (const tenantId of user.tenantIds) {
    await recordAudit(database, {
      tenantId,
      actor: user.userId,
      action: 'auth.sign_in_failed',
      ...auditContext(c),
    })
  }
  if (!lockedForSeconds) return
  // The lock holds in every tenant the user signs in to, so each of them hears of it.
  for (const tenantId of user.memberOf) {
    await recordAudit(database, {
      tenantId,
      actor: user.userId,
      action: 'auth.account_locked',
      details: { failures, locked_for_seconds: lockedForSeconds },
      ...auditContext(c),
    })
  }
}

export const authRoutes = createRouter()
  .openapi(
    publicRoute({
      method: 'post',
      path: '/signup',
      tags: ['Auth'],
      summary: 'Create a tenant and its owner',
      request: jsonBody(signupSchema),
      responses: {
        201: tokens,
        409: errorResponse('The email already has an account.'),
        429: throttledResponse,
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      await enforceClientThrottle(
        c,
        [THROTTLE_LIMITS.signUpPerIp, THROTTLE_LIMITS.signUpPerIpDaily],
        'Too many sign-ups from this address.',
      )
      const database = db(c.env.DB)
      const existing = await database.query.users.findFirst({ where: eq(users.email, body.email) })
      if (existing) throw errors.conflict('An account with this email already exists; sign in instead.')
      const tenantId = newId('ten')
      const userId = newId('usr')
      const passwordHash = await hashPassword(body.password)
      await database.batch([
        database.insert(tenants).values({ id: tenantId, name: body.tenant_name, planId: DEFAULT_PLAN }),
        database.insert(users).values({ id: userId, email: body.email, name: body.name, passwordHash }),
        database.insert(memberships).values({ tenantId, userId, role: 'owner' }),
      ])
      await recordAudit(database, { tenantId, actor: userId, action: 'auth.signed_up', ...auditContext(c) })
      // The tenant runs no batches until this mail's token comes back to /v1/auth/verify-email.
      await sendVerificationMail(c.env, database, { id: userId, email: body.email })
      return c.json(await tokenPair(c, { userId, tenantId }), 201)
    },
  )
  .openapi(
    publicRoute({
      method: 'post',
      path: '/token',
      tags: ['Auth'],
      summary: 'Sign in with email and password',
      request: jsonBody(signInSchema),
      responses: {
        200: tokens,
        401: unauthenticated,
        429: errorResponse(
          'Too many attempts from this address or for this account, or the account is locked after wrong passwords; see Retry-After.',
        ),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      // Before any lookup or password hash; a locked account refuses even the right password.
      const attempt = await admitSignIn(c.env, { ip: clientIp(c), email: body.email })
      const database = db(c.env.DB)
      const user = await database.query.users.findFirst({ where: eq(users.email, body.email) })
      // Verify even when no user matched, so response time does not reveal which emails exist.
      const passwordOk = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH)
      const memberOf = user
        ? (
            await database
              .select({ tenantId: memberships.tenantId })
              .from(memberships)
              .where(eq(memberships.userId, user.id))
          ).map((row) => row.tenantId)
        : []
      const tenantIds = body.tenant_id ? memberOf.filter((id) => id === body.tenant_id) : memberOf
      if (!user || !passwordOk || !user.passwordHash) {
        await wrongPassword(c, attempt, user ? { userId: user.id, tenantIds, memberOf } : null)
        throw errors.unauthenticated('Wrong email or password.')
      }
      await clearWrongPasswords(c.env, attempt)
      const [tenantId] = tenantIds
      if (!tenantId) throw errors.unauthenticated('Wrong email or password.')
      if (tenantIds.length > 1) {
        throw new AppError(
          'tenant_required',
          400,
          'This account belongs to several tenants; send tenant_id.',
          {
            tenant_ids: tenantIds,
          },
        )
      }
      await recordAudit(database, { tenantId, actor: user.id, action: 'auth.signed_in', ...auditContext(c) })
      return c.json(await tokenPair(c, { userId: user.id, tenantId }), 200)
    },
  )
  .openapi(
    publicRoute({
      method: 'post',
      path: '/refresh',
      tags: ['Auth'],
      summary: 'Exchange a refresh token for a new token pair (the old refresh token stops working)',
      request: jsonBody(refreshSchema),
      responses: { 200: tokens, 401: unauthenticated, 429: throttledResponse },
    }),
    async (c) => {
      await enforceClientThrottle(c, [THROTTLE_LIMITS.refreshPerIp], REFRESH_THROTTLED)
      const database = db(c.env.DB)
      const rotation = await rotateRefreshToken(database, c.req.valid('json').refresh_token)
      if (rotation.outcome === 'reused') {
        const { tenantId, userId, familyId } = rotation.owner
        await recordAudit(database, {
          tenantId,
          actor: userId,
          action: 'auth.refresh_token_reused',
          details: { family_id: familyId },
          ...auditContext(c),
        })
      }
      // The owner carries its family_id, so the refresh token tokenPair issues continues the family.
      const owner = rotation.outcome === 'rotated' ? rotation.owner : null
      const member =
        owner &&
        (await database.query.memberships.findFirst({
          where: and(eq(memberships.tenantId, owner.tenantId), eq(memberships.userId, owner.userId)),
        }))
      if (!owner || !member) throw errors.unauthenticated('The refresh token is invalid, expired or revoked.')
      return c.json(await tokenPair(c, owner), 200)
    },
  )
  .openapi(
    publicRoute({
      method: 'post',
      path: '/logout',
      tags: ['Auth'],
      summary: 'Revoke a refresh token',
      request: jsonBody(refreshSchema),
      responses: { 204: { description: 'Revoked (also when it already was).' }, 429: throttledResponse },
    }),
    async (c) => {
      await enforceClientThrottle(c, [THROTTLE_LIMITS.refreshPerIp], REFRESH_THROTTLED)
      const database = db(c.env.DB)
      const owner = await consumeRefreshToken(database, c.req.valid('json').refresh_token)
      if (owner) {
        await recordAudit(database, {
          tenantId: owner.tenantId,
          actor: owner.userId,
          action: 'auth.signed_out',
          ...auditContext(c),
        })
      }
      return c.body(null, 204)
    },
  )
  .route('/verify-email', emailVerificationRoutes)
