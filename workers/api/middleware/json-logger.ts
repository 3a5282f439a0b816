import type { MiddlewareHandler } from 'hono'

export type JsonLoggerOptions = { write?: (line: string) => void }

/** One structured JSON line per request: method, path, status, duration, tenant, request id. */
export const jsonLogger = ({
  write = (line) => console.log(line),
}: JsonLoggerOptions = {}): MiddlewareHandler => {
  return async function jsonLogger(c, next) {
    const started = Date.now()
    await next()
    write(
      JSON.stringify({
        level: c.res.status >= 500 ? 'error' : 'info',
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Date.now() - started,
        tenant: c.get('principal')?.tenantId ?? null,
        request_id: c.get('requestId'),
      }),
    )
  }
}
