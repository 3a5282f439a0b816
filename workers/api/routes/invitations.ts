// Invitations to the caller's tenant: admins invite, list and revoke; the invitee accepts with the
// mailed token and their own credential (a public route). Only owners invite owners.
import { db } from '../../../shared/db/client'
import { invitations } from '../../../shared/db/schema'
import { selectPage, selectTenantRow, tenantRow } from '../../../shared/db/tenant-rows'
import { AppError, errors } from '../../../shared/errors'
import { idParamSchema, listPage, listQuerySchema } from '../../../shared/schemas/common'
import {
  invitationAcceptSchema,
  invitationCreateSchema,
  invitationListSchema,
  invitationSchema,
  tokenResponseSchema,
} from '../../../shared/schemas/identity'
import { recordAudit } from '../../identity/audit'
import {
  acceptInvitation,
  createInvitation,
  type Invitation,
  invitationStatus,
} from '../../identity/invitations'
import { actorId } from '../../identity/principal'
import { issueTokenPair } from '../../identity/tokens'
import { clientIp } from '../../security/throttle'
import { createRouter, errorResponse, json, jsonBody, protectedRoute, publicRoute } from '../openapi'
import { auditContext, recordCallerAudit } from '../request-context'
import { assertMayTouchOwners } from './members'

function present(row: Invitation) {
  return {
    id: row.id,
    object: 'invitation' as const,
    email: row.email,
    role: row.role,
    status: invitationStatus(row),
    invited_by: row.invitedBy,
    expires_at: row.expiresAt,
    accepted_at: row.acceptedAt,
    accepted_by: row.acceptedBy,
    revoked_at: row.revokedAt,
    created_at: row.createdAt,
  }
}

export const invitationRoutes = createRouter()
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/',
      tags: ['Invitations'],
      summary: 'Invite an address with a role; the token goes to the address only',
      description:
        'The same answer whether or not the address has an account. A pending invitation of the same address is replaced.',
      request: jsonBody(invitationCreateSchema),
      responses: {
        201: json(invitationSchema, 'The invitation, pending.'),
        409: errorResponse('`already_member`: the address is a member of this tenant.'),
        503: errorResponse('`mail_unavailable`: the invitation mail could not be sent.'),
      },
    }),
    async (c) => {
      const principal = c.get('principal')
      const body = c.req.valid('json')
      assertMayTouchOwners(principal, [body.role])
      const { invitation, replaced } = await createInvitation(c.env, db(c.env.DB), {
        tenantId: principal.tenantId,
        email: body.email,
        role: body.role,
        invitedBy: actorId(principal),
      })
      await recordCallerAudit(c, {
        action: 'invitation.created',
        target: invitation.id,
        details: { email: invitation.email, role: invitation.role, replaced },
      })
      return c.json(present(invitation), 201)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'get',
      path: '/',
      tags: ['Invitations'],
      summary: 'List invitations, newest first',
      request: { query: listQuerySchema },
      responses: { 200: json(invitationListSchema, 'A page of invitations.') },
    }),
    async (c) => {
      const query = c.req.valid('query')
      const tenantId = c.get('principal').tenantId
      const rows = await selectPage(db(c.env.DB), invitations, { tenantId, ...query })
      return c.json(listPage(rows.map(present), query.limit), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'delete',
      path: '/{id}',
      tags: ['Invitations'],
      summary: 'Revoke an invitation; its token stops working',
      request: { params: idParamSchema },
      responses: {
        200: json(invitationSchema, 'The revoked invitation (also when it already was).'),
        409: errorResponse('`invitation_already_accepted`: it was accepted; remove the member instead.'),
      },
    }),
    async (c) => {
      const principal = c.get('principal')
      const { id } = c.req.valid('param')
      const database = db(c.env.DB)
      const row = await selectTenantRow(database, invitations, { id, tenantId: principal.tenantId })
      if (!row) throw errors.notFound('Invitation')
      assertMayTouchOwners(principal, [row.role])
      if (row.acceptedAt !== null) {
        throw new AppError(
          'invitation_already_accepted',
          409,
          'This invitation was accepted; remove the member instead.',
        )
      }
      if (row.revokedAt !== null) return c.json(present(row), 200)
      const [revoked] = await database
        .update(invitations)
        .set({ revokedAt: Math.floor(Date.now() / 1000) })
        .where(tenantRow(invitations, row))
        .returning()
      await recordCallerAudit(c, { action: 'invitation.revoked', target: id })
      return c.json(present(revoked!), 200)
    },
  )
  .openapi(
    publicRoute({
      method: 'post',
      path: '/accept',
      tags: ['Invitations'],
      summary: 'Accept an invitation and sign in to its tenant',
      description:
        'Send the mailed token and the invited address. An existing account proves itself with its password in the body or its access token as the bearer; for a new account, the password (and name) it will have.',
      request: jsonBody(invitationAcceptSchema),
      responses: {
        200: json(tokenResponseSchema, 'Tokens for the tenant just joined.'),
        401: errorResponse('The existing account’s credential is missing or wrong.'),
        403: errorResponse('`invitation_email_mismatch`: the token is for another address.'),
        404: errorResponse('`invitation_not_found`: no invitation has this token.'),
        409: errorResponse('`invitation_already_accepted`, or `already_member`.'),
        410: errorResponse('`invitation_expired` or `invitation_revoked`.'),
        429: errorResponse('Too many attempts; see Retry-After.'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const database = db(c.env.DB)
      const bearer = c.req.header('Authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
      const { invitation, userId } = await acceptInvitation(c.env, database, {
        ...body,
        bearer,
        ip: clientIp(c),
        keepAlive: (work) => c.executionCtx.waitUntil(work),
      })
      await recordAudit(database, {
        tenantId: invitation.tenantId,
        actor: userId,
        action: 'invitation.accepted',
        target: invitation.id,
        details: { role: invitation.role },
        ...auditContext(c),
      })
      return c.json(await issueTokenPair(c.env, database, { userId, tenantId: invitation.tenantId }), 200)
    },
  )
