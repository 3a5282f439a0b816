// Proof that a user reads their address: a single-use token, valid for a day, mailed at sign-up
// and on request, of which D1 keeps only the SHA-256. A tenant runs no tasks until one of its
// owners has proved it, so a throwaway sign-up does not buy a fresh monthly quota.
import { and, eq, gt, isNotNull, isNull } from 'drizzle-orm'
import { randomSecret, sha256Hex } from '../../shared/crypto'
import type { Database } from '../../shared/db/client'
import { memberships, users, userTokens } from '../../shared/db/schema'
import { AppError } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { sendMail } from './mailer'

export const VERIFICATION_TOKEN_TTL_SECONDS = 24 * 3600
const PURPOSE = 'email_verification'

const now = () => Math.floor(Date.now() / 1000)

function verificationText(token: string) {
  return [
    'Confirm that this address is yours, so your IA Bulk tenant can run batches.',
    '',
    'Your verification token (it works once, for 24 hours):',
    `token=${token}`,
    '',
    `Send it to the API: POST /v1/auth/verify-email with the JSON body {"token": "${token}"}.`,
    'If you did not sign up for IA Bulk, ignore this message.',
  ].join('\n')
}

/**
 * Replaces the user's outstanding verification tokens with a fresh one and mails it. A mail that
 * cannot go is logged, not thrown: the account exists either way, and the user can ask again.
 */
export async function sendVerificationMail(
  env: Env,
  database: Database,
  user: { id: string; email: string },
): Promise<boolean> {
  const token = randomSecret(32)
  const at = now()
  await database.batch([
    database
      .update(userTokens)
      .set({ usedAt: at })
      .where(and(eq(userTokens.userId, user.id), eq(userTokens.purpose, PURPOSE), isNull(userTokens.usedAt))),
    database.insert(userTokens).values({
      id: newId('utk'),
      userId: user.id,
      purpose: PURPOSE,
      tokenHash: await sha256Hex(token),
      expiresAt: at + VERIFICATION_TOKEN_TTL_SECONDS,
    }),
  ])
  try {
    return await sendMail(env, {
      to: user.email,
      subject: 'Verify your email address for IA Bulk',
      text: verificationText(token),
    })
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', event: 'mail.failed', error: String(error) }))
    return false
  }
}

/**
 * Spends a live verification token and marks its user verified; null when the token is unknown,
 * expired or already used. The conditional UPDATE makes it work exactly once.
 */
export async function verifyEmailToken(database: Database, token: string) {
  const at = now()
  const [spent] = await database
    .update(userTokens)
    .set({ usedAt: at })
    .where(
      and(
        eq(userTokens.tokenHash, await sha256Hex(token)),
        eq(userTokens.purpose, PURPOSE),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, at),
      ),
    )
    .returning({ userId: userTokens.userId })
  if (!spent) return null
  await database
    .update(users)
    .set({ emailVerifiedAt: at })
    .where(and(eq(users.id, spent.userId), isNull(users.emailVerifiedAt)))
  return database.query.users.findFirst({
    where: eq(users.id, spent.userId),
    columns: { id: true, email: true, emailVerifiedAt: true },
  })
}

/** Refuses with 403 `email_unverified` while no owner of the tenant has verified their address. */
export async function requireVerifiedOwner(database: Database, tenantId: string): Promise<void> {
  const [owner] = await database
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        eq(memberships.role, 'owner'),
        isNotNull(users.emailVerifiedAt),
      ),
    )
    .limit(1)
  if (!owner) {
    throw new AppError(
      'email_unverified',
      403,
      'The tenant can run tasks (batches, previews and realtime calls) once an owner has verified their email address: send the token mailed at sign-up to POST /v1/auth/verify-email, or ask for a new one with POST /v1/auth/verify-email/resend.',
    )
  }
}
