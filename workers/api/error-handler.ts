// The single place where failures become responses: `{ error: { code, message, request_id, details? } }`.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorCode } from '../../shared/error-codes'
import { AppError } from '../../shared/errors'

const CODES_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

function errorResponse(c: Context, error: AppError) {
  const body = {
    error: {
      code: error.code,
      message: error.message,
      request_id: c.get('requestId') ?? null,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  }
  return c.json(body, error.status as ContentfulStatusCode, error.headers)
}

export const handleError: ErrorHandler = (err, c) => {
  if (err instanceof AppError) return errorResponse(c, err)
  if (err instanceof HTTPException && err.status < 500) {
    const code = CODES_BY_STATUS[err.status] ?? 'bad_request'
    return errorResponse(c, new AppError(code, err.status as AppError['status'], err.message || code))
  }
  console.error(
    JSON.stringify({ level: 'error', request_id: c.get('requestId'), error: String(err?.stack ?? err) }),
  )
  return errorResponse(c, new AppError('internal_error', 500, 'Something went wrong on our side.'))
}

export const handleNotFound: NotFoundHandler = (c) =>
  errorResponse(c, new AppError('not_found', 404, `No route for ${c.req.method} ${c.req.path}.`))
