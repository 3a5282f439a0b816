import type { MiddlewareHandler } from 'hono'
import { errors } from '../../../shared/errors'
import { resolveBearer } from '../../identity/resolve-bearer'

/** Requires `Authorization: Bearer <api key | jwt>` and sets the caller's principal. */
export const authenticate = (): MiddlewareHandler<{ Bindings: Env }> => {
  return async function authenticate(c, next) {
    const header = c.req.header('Authorization')
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i)
    if (!match?.[1])
      throw errors.unauthenticated('Send an API key or access token as `Authorization: Bearer <token>`.')
    const principal = await resolveBearer(c.env, match[1], (work) => c.executionCtx.waitUntil(work))
    if (!principal) throw errors.invalidCredential()
    c.set('principal', principal)
    await next()
  }
}
