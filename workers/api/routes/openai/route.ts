// Route declarations of the OpenAI-compatible surface: like protectedRoute, but documenting
// OpenAI's error shape, which this surface answers with.
import { createRoute, type RouteConfig } from '@hono/zod-openapi'
import { openaiErrorSchema } from '../../../../shared/schemas/openai'
import type { Scope } from '../../../identity/principal'
import { requireScope } from '../../middleware/require-scope'
import { json } from '../../openapi'

export const openaiError = (description: string) => json(openaiErrorSchema, description)

const openaiErrors = {
  400: openaiError('The request is not valid.'),
  401: openaiError('Missing, invalid, expired or revoked API key.'),
  403: openaiError('The key lacks the scope.'),
  404: openaiError('No such object in this tenant.'),
  429: openaiError('Rate limit exceeded; see Retry-After.'),
}

/** An OpenAI-compatible operation behind authentication and rate limiting that needs `scope`. */
export function openaiRoute<const R extends Omit<RouteConfig, 'security' | 'middleware' | 'tags'>>(
  scope: Scope,
  config: R,
) {
  return createRoute({
    ...config,
    tags: ['OpenAI-compatible'],
    security: [{ bearer: [] }],
    middleware: [requireScope(scope)] as const,
    responses: { ...openaiErrors, ...config.responses },
  })
}
