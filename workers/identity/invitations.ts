// Invitations: how anyone joins a tenant they did not found. An admin invites an address with a
// role; the address is mailed a single-use token, valid for 7 days, of which D1 keeps only the
// SHA-256. Accepting takes the token (proof of reading the mail) and the invited account's own
// credential: a new account sets its password there, an existing one gives its password or its
// access token. Inviting does the same work and answers alike whether the address has an account.
import { and, eq, gt, inArray, isNull, ne } from 'drizzle-orm'
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  randomSecret,
  sha256Hex,
  verifyPassword,
} from '../../shared/crypto'
import type { Database } from '../../shared/db/client'
import { idSlices } from '../../shared/db/id-lists'
import { invitations, memberships, type Role, tenants, users } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { passwordSchema } from '../../shared/schemas/identity'
import {
  admitSignIn,
  clearWrongPasswords,
  recordWrongPassword,
  type SignInAttempt,
} from '../security/sign-in-throttle'
import { sendMail } from './mailer'
import { resolveBearer } from './resolve-bearer'

export const INVITATION_TTL_SECONDS = 7 * 86_400
const TOKEN_PREFIX = 'iab_inv_'

export type Invitation = typeof invitations.$inferSelect
export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired'

const nowSeconds = () => Math.floor(Date.now() / 1000)

export function invitationStatus(row: Invitation, now = nowSeconds()): InvitationStatus {
  if (row.acceptedAt !== null) return 'accepted'
  if (row.revokedAt !== null) return 'revoked'
  return row.expiresAt <= now ? 'expired' : 'pending'
}

/** Only a pending invitation may change; the others answer with a stable code. */
function assertPending(row: Invitation): void {
  const status = invitationStatus(row)
  if (status === 'accepted')
    throw new AppError('invitation_already_accepted', 409, 'This invitation has already been accepted.')
  if (status === 'revoked') throw new AppError('invitation_revoked', 410, 'This invitation was revoked.')
  if (status === 'expired')
    throw new AppError('invitation_expired', 410, 'This invitation has expired; ask for a new one.')
}

const emailMismatch = () =>
  new AppError('invitation_email_mismatch', 403, 'This invitation is for another address.')

const live = (now: number) =>
  and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now))

function invitationText(tenantName: string, role: Role, token: string, expiresAt: number) {
  return [
    `You are invited to join ${tenantName} on IA Bulk as ${role}.`,
    '',
    `Your invitation token (it works once, until ${new Date(expiresAt * 1000).toISOString()}):`,
    `token=${token}`,
    '',
    'Accept it with POST /v1/invitations/accept and the JSON body',
    `{"token": "${token}", "email": "<this address>", "password": "<password>"}.`,
    'If this address already has an IA Bulk account, give that account’s password; otherwise choose',
    'the password (at least 10 characters) and, with "name", the name of your new account.',
    'If you did not expect this invitation, ignore this message.',
  ].join('\n')
}

/**
 * Invites `email` to the tenant, replacing a pending invitation of the same address, and mails
 * the token. Whether the address has an account is never looked up, so the work and the answer
 * are the same either way; only the tenant's own members (whom its admins can list) are refused.
 */
export async function createInvitation(
  env: Env,
  database: Database,
  invite: { tenantId: string; email: string; role: Role; invitedBy: string },
): Promise<{ invitation: Invitation; replaced: string[] }> {
  const [[member], [tenant]] = await database.batch([
    database
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, invite.tenantId), eq(users.email, invite.email))),
    database.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, invite.tenantId)),
  ])
  if (member) throw new AppError('already_member', 409, 'This address is already a member of the tenant.')

  const token = `${TOKEN_PREFIX}${randomSecret(32)}`
  const now = nowSeconds()
  const [invitation] = await database
    .insert(invitations)
    .values({
      id: newId('inv'),
      ...invite,
      tokenHash: await sha256Hex(token),
      expiresAt: now + INVITATION_TTL_SECONDS,
      createdAt: now,
    })
    .returning()
  const row = invitation!
  const sent = await sendMail(env, {
    to: row.email,
    subject: `You are invited to ${tenant?.name ?? 'a tenant'} on IA Bulk`,
    text: invitationText(tenant?.name ?? 'a tenant', row.role, token, row.expiresAt),
  }).catch((error: unknown) => {
    console.error(JSON.stringify({ level: 'error', event: 'mail.failed', error: String(error) }))
    return false
  })
  if (!sent) {
    await database.update(invitations).set({ revokedAt: now }).where(eq(invitations.id, row.id))
    throw new AppError('mail_unavailable', 503, 'The invitation mail could not be sent; try again later.')
  }
  const replaced = await database
    .update(invitations)
    .set({ revokedAt: now })
    .where(
      and(
        eq(invitations.tenantId, row.tenantId),
        eq(invitations.email, row.email),
        ne(invitations.id, row.id),
        live(now),
      ),
    )
    .returning({ id: invitations.id })
  return { invitation: row, replaced: replaced.map(({ id }) => id) }
}

/**
 * Revokes the pending invitations these actors (a member and the keys they made) sent, of any
 * role or of those `roles`: an invitation no more outlives its sender's standing than a key.
 */
export async function revokeInvitationsFrom(
  database: Database,
  tenantId: string,
  actors: string[],
  roles?: Role[],
): Promise<string[]> {
  const now = nowSeconds()
  const revoked: string[] = []
  for (const slice of idSlices(actors)) {
    const rows = await database
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(invitations.tenantId, tenantId),
          inArray(invitations.invitedBy, slice),
          roles ? inArray(invitations.role, roles) : undefined,
          live(now),
        ),
      )
      .returning({ id: invitations.id })
    revoked.push(...rows.map(({ id }) => id))
  }
  return revoked
}

export type Acceptance = {
  token: string
  email: string
  password?: string | undefined
  name?: string | undefined
  /** An access token sent as the bearer: the existing account's credential instead of its password. */
  bearer?: string | undefined
  ip: string
  keepAlive: (work: Promise<unknown>) => void
}

type Account =
  | { userId: string; isNew: false }
  | { userId: string; isNew: true; passwordHash: string; name: string }

/** The invitee's account, once they proved it is theirs; or a new one with their own password. */
async function invitedAccount(
  env: Env,
  database: Database,
  row: Invitation,
  request: Acceptance,
  attempt: SignInAttempt,
): Promise<Account> {
  const user = await database.query.users.findFirst({ where: eq(users.email, row.email) })
  if (request.bearer) {
    const principal = await resolveBearer(env, request.bearer, {
      ip: request.ip,
      keepAlive: request.keepAlive,
    })
    if (principal?.kind !== 'user') throw errors.invalidCredential()
    if (!user || principal.userId !== user.id) throw emailMismatch()
    return { userId: user.id, isNew: false }
  }
  if (user) {
    const ok = await verifyPassword(request.password ?? '', user.passwordHash ?? DUMMY_PASSWORD_HASH)
    if (!ok || !user.passwordHash) {
      await recordWrongPassword(env, attempt)
      throw errors.unauthenticated(
        'This address has an account: send its password, or its access token as the bearer.',
      )
    }
    await clearWrongPasswords(env, attempt)
    return { userId: user.id, isNew: false }
  }
  const password = passwordSchema.safeParse(request.password)
  if (!password.success) throw errors.validation('A new account needs a password of at least 10 characters.')
  return {
    userId: newId('usr'),
    isNew: true,
    passwordHash: await hashPassword(password.data),
    name: request.name ?? row.email,
  }
}

/**
 * Accepts an invitation: checks the token, the address it was sent to and the account's
 * credential, then makes the account (a new one counts as verified: it read the mail) a member
 * with the invited role. The conditional UPDATE spends the token exactly once.
 */
export async function acceptInvitation(
  env: Env,
  database: Database,
  request: Acceptance,
): Promise<{ invitation: Invitation; userId: string }> {
  // Accepting signs the account in, so it spends from the same budgets as a sign-in.
  const attempt = await admitSignIn(env, { ip: request.ip, email: request.email })
  const [row] = await database
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, await sha256Hex(request.token)))
  if (!row) throw new AppError('invitation_not_found', 404, 'No invitation has this token.')
  assertPending(row)
  if (request.email !== row.email) throw emailMismatch()
  const account = await invitedAccount(env, database, row, request, attempt)
  if (!account.isNew) {
    const member = await database.query.memberships.findFirst({
      where: and(eq(memberships.tenantId, row.tenantId), eq(memberships.userId, account.userId)),
    })
    if (member) throw new AppError('already_member', 409, 'This account is already a member of the tenant.')
  }

  const now = nowSeconds()
  const [claimed] = await database
    .update(invitations)
    .set({ acceptedAt: now, acceptedBy: account.userId })
    .where(and(eq(invitations.id, row.id), live(now)))
    .returning()
  if (!claimed) {
    const [current] = await database.select().from(invitations).where(eq(invitations.id, row.id))
    if (current) assertPending(current)
    throw errors.conflict('The invitation changed meanwhile; try again.')
  }
  const membership = database
    .insert(memberships)
    .values({ tenantId: row.tenantId, userId: account.userId, role: row.role })
    .onConflictDoNothing()
  try {
    if (account.isNew) {
      await database.batch([
        database.insert(users).values({
          id: account.userId,
          email: row.email,
          name: account.name,
          passwordHash: account.passwordHash,
          emailVerifiedAt: now,
        }),
        membership,
      ])
    } else {
      await database.batch([
        membership,
        database
          .update(users)
          .set({ emailVerifiedAt: now })
          .where(and(eq(users.id, account.userId), isNull(users.emailVerifiedAt))),
      ])
    }
  } catch (error) {
    // An account made meanwhile for the address, say: give the token back for another try.
    await database
      .update(invitations)
      .set({ acceptedAt: null, acceptedBy: null })
      .where(eq(invitations.id, row.id))
    throw error
  }
  return { invitation: claimed, userId: account.userId }
}
