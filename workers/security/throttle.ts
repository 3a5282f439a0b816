// Limits on what callers do before (or without) authenticating: per client address and per
// account, enforced by AccessThrottle objects. A refusal is the usual 429 envelope with
// Retry-After. The numbers live in THROTTLE_LIMITS so the README and the code state one thing.
import type { Context } from 'hono'
import type { LockoutPolicy, ThrottleDecision, ThrottleRule } from '../../durable-objects/access-throttle'
import { sha256Hex } from '../../shared/crypto'
import { AppError } from '../../shared/errors'

export const THROTTLE_LIMITS = {
  /** Sign-in attempts per client address. */
  signInPerIp: { name: 'sign_in', limit: 20, windowSeconds: 60 },
  /** Sign-in attempts per account, whoever makes them. */
  signInPerAccount: { name: 'sign_in', limit: 10, windowSeconds: 60 },
  /** Sign-up attempts per client address (409s for taken emails count too)… */
  signUpPerIp: { name: 'sign_up', limit: 5, windowSeconds: 3600 },
  /** …and per day, so a patient client makes 20 free tenants a day, not 120. */
  signUpPerIpDaily: { name: 'sign_up_daily', limit: 20, windowSeconds: 86_400 },
  /** Refresh-token exchanges and logouts per client address. */
  refreshPerIp: { name: 'refresh', limit: 60, windowSeconds: 60 },
  /**
   * Credentials that did not resolve (unknown API keys, access tokens that fail verification,
   * OIDC tokens no tenant accepts) per client address. Once spent, even a lookup is refused.
   */
  failedCredentialsPerIp: { name: 'failed_credentials', limit: 30, windowSeconds: 60 },
  /** Email-verification attempts per client address. */
  verifyEmailPerIp: { name: 'verify_email', limit: 10, windowSeconds: 60 },
  /** Verification mails a signed-in user may ask for. */
  verificationMailPerAccount: { name: 'verification_mail', limit: 3, windowSeconds: 3600 },
  /** Inbound hooks refused (bad signature, unknown integration) per client address. */
  rejectedHooksPerIp: { name: 'hook_rejected', limit: 30, windowSeconds: 60 },
  /** Inbound hooks refused per integration (or platform hook), from any address. */
  rejectedHooksPerIntegration: { name: 'hook_rejected', limit: 10, windowSeconds: 60 },
  /**
   * Lockout of an account after wrong passwords in a row (registered or not): the 5th locks it
   * for 1 min, each further one (after the lock ends) doubles that, up to 1 h.
   */
  accountLockout: { threshold: 5, baseSeconds: 60, maxSeconds: 3600 },
} as const satisfies Record<string, ThrottleRule | LockoutPolicy>

/** The client's address as Cloudflare saw it; `unknown` only off Cloudflare (tests, local tools). */
export function clientIp(c: Context): string {
  return c.req.header('CF-Connecting-IP') ?? 'unknown'
}

export function throttleFor(env: Env, subject: string) {
  return env.THROTTLE.get(env.THROTTLE.idFromName(subject))
}

export const ipSubject = (ip: string) => `ip:${ip}`

/** Accounts are named by the SHA-256 of the lower-cased email, so object names carry no address. */
export async function accountSubject(email: string): Promise<string> {
  return `account:${await sha256Hex(email.trim().toLowerCase())}`
}

export function throttled(decision: ThrottleDecision, message: string): AppError {
  return new AppError(
    'rate_limited',
    429,
    `${message} Retry after ${decision.retryAfterSeconds} s.`,
    undefined,
    {
      'Retry-After': String(decision.retryAfterSeconds),
    },
  )
}

/** Spends one request from each rule of the caller's client address, or throws 429. */
export function enforceClientThrottle(
  c: Context<{ Bindings: Env }>,
  rules: ThrottleRule[],
  message: string,
): Promise<void> {
  return enforceThrottle(c.env, ipSubject(clientIp(c)), rules, message)
}

/** Spends one request from each rule of the subject, or throws 429. */
export async function enforceThrottle(
  env: Env,
  subject: string,
  rules: ThrottleRule[],
  message = 'Too many requests.',
): Promise<void> {
  const decision = await throttleFor(env, subject).take(rules)
  if (!decision.allowed) throw throttled(decision, message)
}
