// Members of the caller's tenant. People join by invitation only (routes/invitations.ts). Admins
// change roles and remove members; only owners grant, change or remove the owner role, and the
// last owner cannot be removed or demoted. What a member made answers for them: removing one
// revokes their keys (and the keys those made), refresh tokens and pending invitations; a smaller
// role narrows those keys to its scopes.
import { and, asc, eq } from 'drizzle-orm'
import type { Context } from 'hono'
import { type Database, db } from '../../../shared/db/client'
import { memberships, type Role, users } from '../../../shared/db/schema'
import { AppError, errors } from '../../../shared/errors'
import {
  memberListSchema,
  memberSchema,
  memberUpdateSchema,
  userIdParamSchema,
} from '../../../shared/schemas/identity'
import { revokeInvitationsFrom } from '../../identity/invitations'
import { type KeyRestriction, restrictKeysCreatedBy } from '../../identity/key-lineage'
import { type Principal, scopesForRole } from '../../identity/principal'
import { revokeRefreshTokensOf } from '../../identity/tokens'
import type { AppEnv } from '../context'
import { createRouter, errorResponse, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

function selectMembers(database: Database, tenantId: string) {
  return database
    .select({
      user_id: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      created_at: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .$dynamic()
}

async function findMember(database: Database, tenantId: string, userId: string) {
  const [row] = await selectMembers(database, tenantId).where(
    and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)),
  )
  if (!row) throw errors.notFound('Member')
  return { object: 'member' as const, ...row }
}

/** Refuses with 403 a caller who is not an owner when any of `roles` is the owner role. */
export function assertMayTouchOwners(principal: Principal, roles: Role[]) {
  const isOwner = principal.kind === 'user' && principal.role === 'owner'
  if (roles.includes('owner') && !isOwner)
    throw errors.forbidden('Only an owner can grant, change or remove the owner role.')
}

/** One audit entry per key a member's change revoked or narrowed. */
async function auditKeys(c: Context<AppEnv>, keys: KeyRestriction, reason: string, member: string) {
  for (const id of keys.revoked) {
    await recordCallerAudit(c, { action: 'api_key.revoked', target: id, details: { reason, member } })
  }
  for (const { id, scopes } of keys.narrowed) {
    await recordCallerAudit(c, {
      action: 'api_key.narrowed',
      target: id,
      details: { reason, member, scopes },
    })
  }
}

async function assertNotLastOwner(database: Database, tenantId: string, role: Role) {
  if (role !== 'owner') return
  const owners = await database
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, 'owner')))
  if (owners.length <= 1) throw errors.conflict('A tenant keeps at least one owner.')
}

export const memberRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Members'],
      summary: 'List the tenant’s members',
      responses: { 200: json(memberListSchema, 'Every member.') },
    }),
    async (c) => {
      const rows = await selectMembers(db(c.env.DB), c.get('principal').tenantId).orderBy(
        asc(memberships.createdAt),
      )
      return c.json(
        { object: 'list' as const, data: rows.map((row) => ({ object: 'member' as const, ...row })) },
        200,
      )
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/',
      tags: ['Members'],
      summary: 'Gone: people join by invitation (POST /v1/invitations)',
      deprecated: true,
      responses: { 410: errorResponse('`use_invitations`: invite the address instead.') },
    }),
    () => {
      throw new AppError(
        'use_invitations',
        410,
        'Members are no longer added directly: invite the address with POST /v1/invitations; they accept with the mailed token and their own password.',
      )
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'patch',
      path: '/{user_id}',
      tags: ['Members'],
      summary: 'Change a member’s role',
      request: { params: userIdParamSchema, ...jsonBody(memberUpdateSchema) },
      responses: { 200: json(memberSchema, 'The member with the new role.') },
    }),
    async (c) => {
      const principal = c.get('principal')
      const { user_id } = c.req.valid('param')
      const { role } = c.req.valid('json')
      const database = db(c.env.DB)
      const member = await findMember(database, principal.tenantId, user_id)
      if (member.role === role) return c.json(member, 200)
      assertMayTouchOwners(principal, [member.role, role])
      await assertNotLastOwner(database, principal.tenantId, member.role)
      const kept = scopesForRole(role)
      const narrower = scopesForRole(member.role).some((scope) => !kept.includes(scope))
      // Keys first: should this fail, the role is unchanged and the same request can be repeated.
      const keys = narrower
        ? await restrictKeysCreatedBy(c.env, { tenantId: principal.tenantId, actor: user_id, scopes: kept })
        : { revoked: [], narrowed: [], chain: [] }
      const invitationsRevoked = !kept.includes('admin')
        ? await revokeInvitationsFrom(database, principal.tenantId, [user_id, ...keys.chain])
        : member.role === 'owner'
          ? await revokeInvitationsFrom(database, principal.tenantId, [user_id], ['owner'])
          : []
      await database
        .update(memberships)
        .set({ role })
        .where(and(eq(memberships.tenantId, principal.tenantId), eq(memberships.userId, user_id)))
      await recordCallerAudit(c, {
        action: 'member.role_changed',
        target: user_id,
        details: { from: member.role, to: role, revoked_invitations: invitationsRevoked },
      })
      await auditKeys(c, keys, 'member_role_changed', user_id)
      return c.json({ ...member, role }, 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'delete',
      path: '/{user_id}',
      tags: ['Members'],
      summary: 'Remove a member from the tenant',
      request: { params: userIdParamSchema },
      responses: { 204: { description: 'Removed.' } },
    }),
    async (c) => {
      const principal = c.get('principal')
      const { user_id } = c.req.valid('param')
      const database = db(c.env.DB)
      const member = await findMember(database, principal.tenantId, user_id)
      assertMayTouchOwners(principal, [member.role])
      await assertNotLastOwner(database, principal.tenantId, member.role)
      const { tenantId } = principal
      // What they hold goes first: should this fail, they are still a member and the same request
      // can be repeated (each step is safe to repeat).
      const keys = await restrictKeysCreatedBy(c.env, { tenantId, actor: user_id, scopes: null })
      const refreshTokens = await revokeRefreshTokensOf(database, { tenantId, userId: user_id })
      const invitationsRevoked = await revokeInvitationsFrom(database, tenantId, [user_id, ...keys.chain])
      await database
        .delete(memberships)
        .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, user_id)))
      await recordCallerAudit(c, {
        action: 'member.removed',
        target: user_id,
        details: {
          role: member.role,
          revoked_api_keys: keys.revoked,
          revoked_refresh_tokens: refreshTokens,
          revoked_invitations: invitationsRevoked,
        },
      })
      await auditKeys(c, keys, 'member_removed', user_id)
      return c.body(null, 204)
    },
  )
