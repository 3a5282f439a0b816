import type { MiddlewareHandler } from 'hono'
import { tenantCoordinator } from '../../../durable-objects/stubs'
import { AppError, errors } from '../../../shared/errors'
import { rateLimitHeaders } from '../../../shared/rate-limit/headers'
import { actorId } from '../../identity/principal'

/**
 * Admits the request against the tenant's and the caller's limits from the tenant's plan. The same
 * call refuses an API key revoked since this isolate cached it, and narrows the scopes of one
 * narrowed since (see identity/api-keys.ts); it runs before every route's scope check.
 */
export const rateLimit = (): MiddlewareHandler<{ Bindings: Env }> => {
  return async function rateLimit(c, next) {
    const principal = c.get('principal')
    const { plan } = principal
    const coordinator = tenantCoordinator(c.env, principal.tenantId)
    const decision = await coordinator.checkRateLimit({
      callerId: actorId(principal),
      keyId: principal.kind === 'api_key' ? principal.keyId : undefined,
      tenant: { limit: plan.tenantRequestsPerWindow, windowSeconds: plan.windowSeconds },
      caller: { limit: plan.keyRequestsPerWindow, windowSeconds: plan.windowSeconds },
    })
    if ('revoked' in decision) throw errors.invalidCredential()
    const { scopeCeiling } = decision
    if (scopeCeiling) {
      const scopes = principal.scopes.filter((scope) => scopeCeiling.includes(scope))
      if (!scopes.length) throw errors.invalidCredential()
      c.set('principal', { ...principal, scopes })
    }
    const headers = rateLimitHeaders(decision)
    if (!decision.allowed) {
      throw new AppError(
        'rate_limited',
        429,
        `Rate limit exceeded; retry after ${decision.retryAfterSeconds} s.`,
        { policies: decision.policies },
        headers,
      )
    }
    await next()
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value)
  }
}
