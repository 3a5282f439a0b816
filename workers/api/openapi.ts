// Route declaration helpers: every route is a zod-described OpenAPI operation, so
// `/openapi.json` documents the whole API from the same schemas that validate requests.
import { createRoute, OpenAPIHono, type RouteConfig, type z } from '@hono/zod-openapi'
import { errors } from '../../shared/errors'
import { errorEnvelopeSchema } from '../../shared/schemas/common'
import type { Scope } from '../identity/principal'
import type { AppEnv } from './context'
import { requireScope } from './middleware/require-scope'

/** A sub-app whose request validation failures throw the standard 400 error. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw errors.validation(
          'The request is not valid.',
          result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
        )
      }
    },
  })
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { required: true, content: { 'application/json': { schema } } } }
}

export const errorResponse = (description: string) => json(errorEnvelopeSchema, description)

export const publicErrors = {
  400: errorResponse('The request is not valid.'),
  413: errorResponse('The body is larger than the limit.'),
}

const protectedErrors = {
  ...publicErrors,
  401: errorResponse('Missing, invalid, expired or revoked credential.'),
  403: errorResponse('The credential lacks the scope or role.'),
  404: errorResponse('No such resource in this tenant.'),
  429: errorResponse('Rate limit exceeded; see Retry-After.'),
}

/** A route behind authentication and rate limiting that needs `scope`. */
export function protectedRoute<const R extends Omit<RouteConfig, 'security' | 'middleware'>>(
  scope: Scope,
  config: R,
) {
  return createRoute({
    ...config,
    security: [{ bearer: [] }],
    middleware: [requireScope(scope)] as const,
    responses: { ...protectedErrors, ...config.responses },
  })
}

export function publicRoute<const R extends RouteConfig>(config: R) {
  return createRoute({ ...config, responses: { ...publicErrors, ...config.responses } })
}
