// The throttle around a password sign-in: the client address's and the account's budgets, and
// the account's lockout after wrong passwords in a row. An account is named by its email whether
// or not anyone registered it, so refusals (and their wording) are the same for unknown emails.
import type { FailureRecord } from '../../durable-objects/access-throttle'
import {
  accountSubject,
  enforceThrottle,
  ipSubject,
  THROTTLE_LIMITS,
  throttled,
  throttleFor,
} from './throttle'

/** One message for a busy and a locked account, registered or not. */
export const ACCOUNT_THROTTLED_MESSAGE = 'Too many sign-in attempts for this account.'

export type SignInAttempt = { subject: string; failures: number }

/**
 * Spends one sign-in from the address, then (unless the address is refused) one from the
 * account, refused outright while the account is locked. Throws 429 with Retry-After.
 */
export async function admitSignIn(env: Env, attempt: { ip: string; email: string }): Promise<SignInAttempt> {
  await enforceThrottle(
    env,
    ipSubject(attempt.ip),
    [THROTTLE_LIMITS.signInPerIp],
    'Too many sign-in attempts from this address.',
  )
  const subject = await accountSubject(attempt.email)
  const decision = await throttleFor(env, subject).admit([THROTTLE_LIMITS.signInPerAccount])
  if (!decision.allowed) throw throttled(decision, ACCOUNT_THROTTLED_MESSAGE)
  return { subject, failures: decision.failures }
}

/** Counts a wrong password; `lockedForSeconds` > 0 when this one locked the account. */
export function recordWrongPassword(env: Env, attempt: SignInAttempt): Promise<FailureRecord> {
  return throttleFor(env, attempt.subject).recordFailure(THROTTLE_LIMITS.accountLockout)
}

/** The right password ends the run of wrong ones (no call when there was none). */
export async function clearWrongPasswords(env: Env, attempt: SignInAttempt): Promise<void> {
  if (attempt.failures > 0) await throttleFor(env, attempt.subject).clearFailures()
}
