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
  /** New tenants per client address. */
  signUpPerIp: { name: 'sign_up', limit: 5, windowSeconds: 3600 },
  /** Refresh-token exchanges per client address. */
  refreshPerIp: { name: 'refresh', limit: 60, windowSeconds: 60 },
  /** Credentials that did not resolve (unknown keys, bad tokens) per client address. */
  failedCredentialsPerIp: { name: 'failed_credentials', limit: 30, windowSeconds: 60 },
  /** Lockout after wrong passwords in a row: 5 allowed, then 1 min, doubling up to 1 h. */
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
