import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { errors } from '../../../shared/errors'

export type BodySizeLimitOptions = { maxBytes: (env: Env) => number }

/** Refuses bodies over the limit with 413 naming it, whether or not Content-Length is sent. */
export const bodySizeLimit = ({ maxBytes }: BodySizeLimitOptions): MiddlewareHandler<{ Bindings: Env }> => {
  return async function bodySizeLimit(c, next) {
    const limit = maxBytes(c.env)
    return bodyLimit({
      maxSize: limit,
      onError: () => {
        throw errors.tooLarge(limit)
      },
    })(c, next)
  }
}
