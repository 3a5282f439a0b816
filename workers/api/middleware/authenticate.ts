import type { MiddlewareHandler } from 'hono'
import { errors } from '../../../shared/errors'
import { resolveBearer } from '../../identity/resolve-bearer'
import { clientIp } from '../../security/throttle'

/**
 * Requires `Authorization: Bearer <api key | jwt>` and sets the caller's principal. Credentials
 * that fail count against the client address (429 once it has failed too often).
 */
export const authenticate = (): MiddlewareHandler<{ Bindings: Env }> => {
  return async function authenticate(c, next) {
    const header = c.req.header('Authorization')
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i)
    if (!match?.[1])
      throw errors.unauthenticated('Send an API key or access token as `Authorization: Bearer <token>`.')
    const principal = await resolveBearer(c.env, match[1], {
      ip: clientIp(c),
      keepAlive: (work) => c.executionCtx.waitUntil(work),
    })
    if (!principal) throw errors.invalidCredential()
    c.set('principal', principal)
    await next()
  }
}
