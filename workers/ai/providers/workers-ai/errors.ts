// Errors from the `AI` binding (or `aiOverRest`): messages read `"<internal code>: <description>"`
// (https://developers.cloudflare.com/workers-ai/platform/errors/); the REST binding adds `status`
// and `retryAfterMs`. The internal code decides first, then the HTTP status, then the wording.
// Callers see the status, our code and the internal code; the binding's wording is only logged.
import type { ProviderErrorCode } from '../../../../shared/error-codes'
import { ProviderError } from '../../provider'
import { statusError, thrownError } from '../http-errors'
import { withDetail } from '../provider-detail'

type Known = { code: ProviderErrorCode; retryable: boolean; status: number }

const unavailable: Known = { code: 'provider_unavailable', retryable: true, status: 429 }
const rateLimited: Known = { code: 'rate_limited', retryable: true, status: 429 }
const timeout: Known = { code: 'timeout', retryable: true, status: 408 }
const auth: Known = { code: 'provider_auth', retryable: false, status: 403 }
const invalid: Known = { code: 'invalid_request', retryable: false, status: 400 }

const INTERNAL_CODES: Record<number, Known> = {
  3040: unavailable, // out of capacity: another target may have room
  3036: rateLimited, // account limited
  3007: timeout,
  3008: timeout,
  3023: auth,
  3041: auth,
  5016: auth, // model terms not agreed
  5018: auth,
  10000: { ...auth, status: 401 }, // Cloudflare API: authentication error
  3003: invalid,
  3006: { ...invalid, status: 413 },
  3039: invalid,
  3042: { ...invalid, status: 404 },
  5004: invalid,
  5005: { ...invalid, status: 405 },
  5006: invalid, // bad input
  5007: invalid, // no such model
  5019: { ...invalid, status: 405 },
}

const WORDING: [RegExp, Known][] = [
  [/rate limit|too many requests/i, rateLimited],
  [/capacity|overloaded|unavailable|internal|upstream/i, unavailable],
  [/bad input|invalid|required|must be|no such model/i, invalid],
]

/** Our message for a failure: the status and code, and the binding's internal code when it gave one. */
function failure(
  known: { code: ProviderErrorCode; retryable: boolean; status?: number },
  options: { retryAfterMs?: number; internal?: number; detail: string },
): ProviderError {
  const { code, retryable, status } = known
  const internal = options.internal ? `, error ${options.internal}` : ''
  const message =
    status === undefined
      ? `Workers AI failed (${code}${internal}).`
      : `Workers AI answered ${status} (${code}${internal}).`
  const error = new ProviderError(
    code,
    message,
    retryable,
    status,
    retryable ? options.retryAfterMs : undefined,
  )
  return withDetail(error, { provider: 'workers-ai', detail: options.detail })
}

export function bindingError(error: unknown, signal: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error
  const name = error instanceof Error ? error.name : ''
  if (signal.aborted || name === 'TimeoutError' || name === 'AbortError')
    return thrownError(error, signal, 'Workers AI')
  const detail = error instanceof Error ? error.message : String(error)
  const { status, retryAfterMs } = (error ?? {}) as { status?: unknown; retryAfterMs?: unknown }
  const httpStatus = typeof status === 'number' ? status : undefined
  const delay = typeof retryAfterMs === 'number' ? retryAfterMs : undefined
  const internal = Number(/^(\d{4,5}):/.exec(detail)?.[1]) || undefined
  const known =
    (internal && INTERNAL_CODES[internal]) ||
    (httpStatus ? undefined : WORDING.find(([re]) => re.test(detail))?.[1])
  const options = { retryAfterMs: delay, internal, detail }
  if (known) {
    const reported = httpStatus !== undefined && httpStatus >= 400 ? httpStatus : known.status
    return failure({ ...known, status: reported }, options)
  }
  if (httpStatus !== undefined && httpStatus >= 400) {
    const { code, retryable } = statusError(httpStatus, '')
    return failure({ code, retryable, status: httpStatus }, options)
  }
  if (httpStatus !== undefined)
    return failure({ code: 'bad_response', retryable: true, status: httpStatus }, options)
  if (name === 'InferenceUpstreamError')
    return failure({ code: 'provider_unavailable', retryable: true }, options)
  const unreachable = new ProviderError('provider_unavailable', 'Workers AI could not be reached.', true)
  return withDetail(unreachable, { provider: 'workers-ai', detail })
}
