import type { MiddlewareHandler } from 'hono'
import { newId } from '../../../shared/ids'

export type RequestIdOptions = { headerName?: string; generator?: () => string }

const ACCEPTED_INCOMING = /^[\w.-]{1,128}$/

/** Takes a well-formed incoming request id or makes one, and echoes it on the response. */
export const requestId = ({
  headerName = 'X-Request-Id',
  generator = () => newId('req'),
}: RequestIdOptions = {}): MiddlewareHandler => {
  return async function requestId(c, next) {
    const incoming = c.req.header(headerName)
    const id = incoming && ACCEPTED_INCOMING.test(incoming) ? incoming : generator()
    c.set('requestId', id)
    c.header(headerName, id)
    await next()
    c.res.headers.set(headerName, id)
  }
}
