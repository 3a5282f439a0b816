// The failed-credentials budget of a client address. A credential that needs a D1 read to be
// found out (an API key not cached in this isolate, an OIDC token) first asks the budget without
// spending it, so an address that spent it is refused before the read; a credential that then
// fails spends one. Valid credentials never spend, and keys already cached never ask.
import { ipSubject, THROTTLE_LIMITS, throttled, throttleFor } from './throttle'

const MESSAGE = 'Too many invalid credentials from this address.'
const RULES = [THROTTLE_LIMITS.failedCredentialsPerIp]

export type FailedCredentials = {
  /** Throws 429 when the address has no failures left; spends nothing. */
  check(): Promise<void>
  /** Spends one failure; throws 429 when there was none left to spend, else answers null. */
  spend(): Promise<null>
}

export function failedCredentials(env: Env, ip: string): FailedCredentials {
  const throttle = () => throttleFor(env, ipSubject(ip))
  return {
    async check() {
      const decision = await throttle().peek(RULES)
      if (!decision.allowed) throw throttled(decision, MESSAGE)
    },
    async spend() {
      const decision = await throttle().take(RULES)
      if (!decision.allowed) throw throttled(decision, MESSAGE)
      return null
    },
  }
}
