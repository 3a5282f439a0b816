import type { MiddlewareHandler } from 'hono'
import { errors } from '../../../shared/errors'
import type { Scope } from '../../identity/principal'

/** Refuses with 403 a caller whose key scopes or member role do not include `scope`. */
export const requireScope = (scope: Scope): MiddlewareHandler => {
  return async function requireScope(c, next) {
    if (!c.get('principal').scopes.includes(scope)) {
      throw errors.forbidden(`This action needs the "${scope}" scope.`)
    }
    await next()
  }
}
