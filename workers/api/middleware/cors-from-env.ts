import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/** CORS for the origins listed in `CORS_ORIGINS` (comma-separated, or `*`). */
export const corsFromEnv = (): MiddlewareHandler<{ Bindings: Env }> => {
  return async function corsFromEnv(c, next) {
    const configured = (c.env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean)
    return cors({
      origin: configured.includes('*') ? '*' : configured,
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
      maxAge: 600,
    })(c, next)
  }
}
