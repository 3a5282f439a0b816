// /v1/auth/verify-email: the token mailed at sign-up proves the address (public, throttled per
// client address), and a signed-in user whose address is not verified yet can ask for a new one.
import { createRoute } from '@hono/zod-openapi'
import { eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { memberships, users } from '../../../shared/db/schema'
import { AppError, errors } from '../../../shared/errors'
import { emailVerificationSchema, verifyEmailSchema } from '../../../shared/schemas/identity'
import { recordAudit } from '../../identity/audit'
import { sendVerificationMail, verifyEmailToken } from '../../identity/email-verification'
import {
  accountSubject,
  enforceClientThrottle,
  enforceThrottle,
  THROTTLE_LIMITS,
} from '../../security/throttle'
import { authenticate } from '../middleware/authenticate'
import { rateLimit } from '../middleware/rate-limit'
import { createRouter, errorResponse, json, jsonBody, publicErrors, publicRoute } from '../openapi'
import { auditContext } from '../request-context'

const verification = (description: string) => json(emailVerificationSchema, description)
const throttledResponse = errorResponse('Too many attempts; see Retry-After.')

export const emailVerificationRoutes = createRouter()
  .openapi(
    publicRoute({
      method: 'post',
      path: '/',
      tags: ['Auth'],
      summary: 'Verify an email address with the token mailed to it (each token works once)',
      request: jsonBody(verifyEmailSchema),
      responses: {
        200: verification('The address is verified.'),
        400: errorResponse('The token is invalid, expired or already used.'),
        429: throttledResponse,
      },
    }),
    async (c) => {
      await enforceClientThrottle(
        c,
        [THROTTLE_LIMITS.verifyEmailPerIp],
        'Too many verification attempts from this address.',
      )
      const database = db(c.env.DB)
      const user = await verifyEmailToken(database, c.req.valid('json').token)
      if (!user) {
        throw new AppError(
          'invalid_token',
          400,
          'The verification token is invalid, expired or already used; sign in and ask for a new one.',
        )
      }
      const tenants = await database
        .select({ tenantId: memberships.tenantId })
        .from(memberships)
        .where(eq(memberships.userId, user.id))
      for (const { tenantId } of tenants) {
        await recordAudit(database, {
          tenantId,
          actor: user.id,
          action: 'auth.email_verified',
          ...auditContext(c),
        })
      }
      return c.json(
        { object: 'email_verification' as const, email: user.email, verified_at: user.emailVerifiedAt },
        200,
      )
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/resend',
      tags: ['Auth'],
      summary: 'Mail the signed-in user a new verification token (earlier ones stop working)',
      security: [{ bearer: [] }],
      // /v1/auth/* is public; this one operation needs the signed-in user.
      middleware: [authenticate(), rateLimit()] as const,
      responses: {
        ...publicErrors,
        202: verification('A new token is on its way.'),
        401: errorResponse('Missing, invalid, expired or revoked credential.'),
        403: errorResponse('An API key has no address to verify.'),
        409: errorResponse('The address is already verified.'),
        429: throttledResponse,
      },
    }),
    async (c) => {
      const principal = c.get('principal')
      if (principal.kind !== 'user')
        throw errors.forbidden('Sign in as the user whose address needs verifying; an API key has none.')
      const database = db(c.env.DB)
      const user = await database.query.users.findFirst({ where: eq(users.id, principal.userId) })
      if (!user) throw errors.invalidCredential()
      if (user.emailVerifiedAt !== null)
        throw new AppError('email_already_verified', 409, 'This email address is already verified.')
      await enforceThrottle(
        c.env,
        await accountSubject(user.email),
        [THROTTLE_LIMITS.verificationMailPerAccount],
        'Too many verification mails for this account.',
      )
      await sendVerificationMail(c.env, database, user)
      return c.json({ object: 'email_verification' as const, email: user.email, verified_at: null }, 202)
    },
  )
