import type { Context } from 'hono'

/** The request facts every audit entry carries. */
export function auditContext(c: Context) {
  return { requestId: c.get('requestId'), ip: c.req.header('CF-Connecting-IP') ?? undefined }
}
