// Members of the caller's tenant. Admins manage members; only owners grant, change or remove the
// owner role, and the last owner cannot be removed or demoted.
import { and, asc, eq } from 'drizzle-orm'
import { hashPassword } from '../../../shared/crypto'
import { type Database, db } from '../../../shared/db/client'
import { memberships, type Role, users } from '../../../shared/db/schema'
import { errors } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import {
  memberCreateSchema,
  memberListSchema,
  memberSchema,
  memberUpdateSchema,
  userIdParamSchema,
} from '../../../shared/schemas/identity'
import type { Principal } from '../../identity/principal'
import { createRouter, json, jsonBody, protectedRoute } from '../openapi'
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

function assertMayTouchOwners(principal: Principal, roles: Role[]) {
  const isOwner = principal.kind === 'user' && principal.role === 'owner'
  if (roles.includes('owner') && !isOwner)
    throw errors.forbidden('Only an owner can grant, change or remove the owner role.')
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
      summary: 'Add a member (an existing account by email, or a new one with an initial password)',
      request: jsonBody(memberCreateSchema),
      responses: { 201: json(memberSchema, 'The new member.') },
    }),
    async (c) => {
      const principal = c.get('principal')
      const body = c.req.valid('json')
      assertMayTouchOwners(principal, [body.role])
      const database = db(c.env.DB)
      let user = await database.query.users.findFirst({ where: eq(users.email, body.email) })
      if (!user) {
        if (!body.password) throw errors.validation('A new account needs an initial password.')
        ;[user] = await database
          .insert(users)
          .values({
            id: newId('usr'),
            email: body.email,
            name: body.name ?? body.email,
            passwordHash: await hashPassword(body.password),
          })
          .returning()
      }
      const inserted = await database
        .insert(memberships)
        .values({ tenantId: principal.tenantId, userId: user!.id, role: body.role })
        .onConflictDoNothing()
        .returning()
      if (!inserted.length) throw errors.conflict('This user is already a member.')
      await recordCallerAudit(c, { action: 'member.added', target: user!.id, details: { role: body.role } })
      return c.json(await findMember(database, principal.tenantId, user!.id), 201)
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
      await database
        .update(memberships)
        .set({ role })
        .where(and(eq(memberships.tenantId, principal.tenantId), eq(memberships.userId, user_id)))
      await recordCallerAudit(c, {
        action: 'member.role_changed',
        target: user_id,
        details: { from: member.role, to: role },
      })
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
      await database
        .delete(memberships)
        .where(and(eq(memberships.tenantId, principal.tenantId), eq(memberships.userId, user_id)))
      await recordCallerAudit(c, { action: 'member.removed', target: user_id })
      return c.body(null, 204)
    },
  )
