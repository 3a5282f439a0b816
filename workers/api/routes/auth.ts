// Sign-up, sign-in with email and password, refresh-token rotation and sign-out.
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
import {
  ACCESS_TOKEN_TTL_SECONDS,
  consumeRefreshToken,
  issueAccessToken,
  issueRefreshToken,
} from '../../identity/tokens'
import type { AppEnv } from '../context'
import { createRouter, errorResponse, json, jsonBody, publicRoute } from '../openapi'
import { auditContext } from '../request-context'

const DEFAULT_PLAN = 'free'
const tokens = json(tokenResponseSchema, 'An access token and a refresh token.')
const unauthenticated = errorResponse('The credentials are not valid.')

async function tokenPair(c: Context<AppEnv>, owner: { userId: string; tenantId: string }) {
  return {
    token_type: 'Bearer' as const,
    access_token: await issueAccessToken(c.env, owner),
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    refresh_token: await issueRefreshToken(db(c.env.DB), owner),
    tenant_id: owner.tenantId,
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
      responses: { 201: tokens, 409: errorResponse('The email already has an account.') },
    }),
    async (c) => {
      const body = c.req.valid('json')
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
      responses: { 200: tokens, 401: unauthenticated },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const database = db(c.env.DB)
      const user = await database.query.users.findFirst({ where: eq(users.email, body.email) })
      // Verify even when no user matched, so response time does not reveal which emails exist.
      const passwordOk = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH)
      const tenantIds = user
        ? (
            await database
              .select({ tenantId: memberships.tenantId })
              .from(memberships)
              .where(
                body.tenant_id
                  ? and(eq(memberships.userId, user.id), eq(memberships.tenantId, body.tenant_id))
                  : eq(memberships.userId, user.id),
              )
          ).map((row) => row.tenantId)
        : []
      const [tenantId] = tenantIds
      if (!user || !tenantId) throw errors.unauthenticated('Wrong email or password.')
      if (!passwordOk || !user.passwordHash) {
        for (const id of tenantIds) {
          await recordAudit(database, {
            tenantId: id,
            actor: user.id,
            action: 'auth.sign_in_failed',
            ...auditContext(c),
          })
        }
        throw errors.unauthenticated('Wrong email or password.')
      }
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
      responses: { 200: tokens, 401: unauthenticated },
    }),
    async (c) => {
      const database = db(c.env.DB)
      const owner = await consumeRefreshToken(database, c.req.valid('json').refresh_token)
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
      responses: { 204: { description: 'Revoked (also when it already was).' } },
    }),
    async (c) => {
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
