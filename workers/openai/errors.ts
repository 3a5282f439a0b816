// Errors on the OpenAI-compatible surface, in OpenAI's shape `{ error: { message, type, param, code } }`:
// the sub-app's error handler, and the HTTP status each task error code stands for.
import type { ErrorHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { TaskErrorCode } from '../../shared/error-codes'
import { AppError, type ErrorStatus } from '../../shared/errors'

const TYPES: Partial<Record<number, string>> = {
  401: 'authentication_error',
  403: 'permission_error',
  429: 'rate_limit_error',
}

export function errorType(status: number): string {
  return TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error')
}

/** The HTTP status of a failed task's error code, as OpenAI would have answered the request. */
const STATUS_BY_TASK_ERROR: Partial<Record<TaskErrorCode, ErrorStatus>> = {
  invalid_input: 400,
  unparseable_row: 400,
  duplicate_custom_id: 400,
  invalid_custom_id: 400,
  invalid_request: 400,
  content_filtered: 400,
  unsupported: 400,
  not_configured: 400,
  provider_not_configured: 400,
  provider_key_deleted: 400,
  rate_limited: 429,
  provider_auth: 502,
  provider_unavailable: 502,
  bad_response: 502,
  timeout: 503,
}

export function statusOfTaskError(code: TaskErrorCode): ErrorStatus {
  return STATUS_BY_TASK_ERROR[code] ?? 500
}

/** The first invalid field of a validation error: OpenAI's `param`, and what is wrong with it. */
function firstIssue(error: AppError): { path: string; message: string } | null {
  if (error.code !== 'validation_failed' || !Array.isArray(error.details)) return null
  const issue = error.details[0] as { path?: unknown; message?: unknown } | undefined
  return typeof issue?.path === 'string' && issue.path && typeof issue.message === 'string'
    ? { path: issue.path, message: issue.message }
    : null
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err
  if (err instanceof HTTPException && err.status < 500)
    return new AppError('invalid_request', err.status as ErrorStatus, err.message || 'Bad request.')
  return new AppError('internal_error', 500, 'Something went wrong on our side.')
}

export const handleOpenAIError: ErrorHandler = (err, c) => {
  const error = asAppError(err)
  if (error !== err && error.status === 500) {
    console.error(
      JSON.stringify({
        level: 'error',
        request_id: c.get('requestId'),
        error: String((err as Error)?.stack ?? err),
      }),
    )
  }
  const issue = firstIssue(error)
  const body = {
    error: {
      message: issue ? `${error.message} ${issue.path}: ${issue.message}` : error.message,
      type: errorType(error.status),
      param: issue?.path ?? null,
      code: error.code,
    },
  }
  return c.json(body, error.status as ContentfulStatusCode, error.headers)
}

/** Requests for paths this surface does not serve answer 404 in OpenAI's shape too. */
export function unknownRoute(method: string, path: string): AppError {
  return new AppError('unknown_url', 404, `Unrecognized request URL (${method}: ${path}).`)
}
