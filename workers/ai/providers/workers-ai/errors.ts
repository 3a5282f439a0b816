// Errors from the `AI` binding (or `aiOverRest`): messages read `"<internal code>: <description>"`
// (https://developers.cloudflare.com/workers-ai/platform/errors/); the REST binding adds `status`
// and `retryAfterMs`. The internal code decides first, then the HTTP status, then the wording.
import { ProviderError } from '../../provider'
import { statusError, thrownError } from '../http-errors'

type Known = { code: string; retryable: boolean; status: number }

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

export function bindingError(error: unknown, signal: AbortSignal): ProviderError {
  if (!(error instanceof Error) || signal.aborted) return thrownError(error, signal, 'Workers AI')
  const { status, retryAfterMs } = error as { status?: unknown; retryAfterMs?: unknown }
  const httpStatus = typeof status === 'number' ? status : undefined
  const delay = typeof retryAfterMs === 'number' ? retryAfterMs : undefined
  const message = `Workers AI: ${error.message}`
  const internal = Number(/^(\d{4,5}):/.exec(error.message)?.[1])
  const known =
    INTERNAL_CODES[internal] ?? (httpStatus ? undefined : WORDING.find(([re]) => re.test(error.message))?.[1])
  if (known) {
    const reported = httpStatus !== undefined && httpStatus >= 400 ? httpStatus : known.status
    return new ProviderError(known.code, message, known.retryable, reported, delay)
  }
  if (httpStatus !== undefined && httpStatus >= 400) return statusError(httpStatus, message, delay)
  if (httpStatus !== undefined) return new ProviderError('bad_response', message, true, httpStatus)
  if (error.name === 'InferenceUpstreamError') return new ProviderError('provider_unavailable', message, true)
  return thrownError(error, signal, 'Workers AI')
}
