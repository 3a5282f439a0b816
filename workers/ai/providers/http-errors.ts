// HTTP calls to model providers with every failure mapped to a ProviderError: one retry-after
// parser, one status mapper, one mapper for thrown fetch errors, one JSON POST used by every
// HTTP provider. Providers never retry; the router decides from `retryable` and `retryAfterMs`.
import type { z } from 'zod'
import type { UrlGuardEnv } from '../../../shared/net/url-guard'
import {
  fetchGuarded,
  ResponseTooLargeError,
  readBounded,
  UrlRefusedError,
} from '../../security/guarded-fetch'
import { ProviderError } from '../provider'
import { credentialsIn, withDetail } from './provider-detail'

/** Delay the provider asked for: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN)
  if (Number.isFinite(ms) && ms >= 0) return ms
  const value = headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Maps an HTTP error status to the stable provider error codes. */
export function statusError(status: number, message: string, retryAfterMs?: number): ProviderError {
  if (status === 429) return new ProviderError('rate_limited', message, true, status, retryAfterMs)
  if (status === 408) return new ProviderError('timeout', message, true, status, retryAfterMs)
  if (status === 401 || status === 403) return new ProviderError('provider_auth', message, false, status)
  if (status >= 500) return new ProviderError('provider_unavailable', message, true, status, retryAfterMs)
  return new ProviderError('invalid_request', message, false, status)
}

export type AnsweredErrorOptions = {
  provider: string
  status: number
  /** What the provider said; logged, never shown to callers. */
  detail?: string
  retryAfterMs?: number
  /** Credentials of the call, redacted from the logged detail. */
  secrets?: string[]
}

/** A provider's error answer as callers see it: the status and our code, e.g. "openai answered 400 (invalid_request)." */
export function answeredError(options: AnsweredErrorOptions): ProviderError {
  const { provider, status, retryAfterMs } = options
  const { code } = statusError(status, '')
  return withDetail(statusError(status, `${provider} answered ${status} (${code}).`, retryAfterMs), options)
}

/** Maps what `fetch` (or a binding) threw: an abort by the attempt's signal is a timeout. */
export function thrownError(error: unknown, signal: AbortSignal, provider: string): ProviderError {
  if (error instanceof ProviderError) return error
  if (error instanceof UrlRefusedError)
    return new ProviderError('url_refused', `${provider}: ${error.message}`, false)
  if (error instanceof ResponseTooLargeError)
    return new ProviderError('bad_response', `${provider}: ${error.message}`, false)
  const name = error instanceof Error ? error.name : ''
  if (signal.aborted || name === 'TimeoutError' || name === 'AbortError') {
    return new ProviderError('timeout', `${provider} did not answer before the attempt timed out.`, true)
  }
  const detail = error instanceof Error ? error.message : String(error)
  return new ProviderError('provider_unavailable', `${provider} could not be reached: ${detail}`, true)
}

/** Validates a provider's answer; a shape we do not understand may be transient, so it is retryable. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, provider: string): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue?.path.join('.') || 'body'
  // zod's message can quote the value received, which is the provider's text.
  const error = new ProviderError('bad_response', `${provider} answered an unexpected ${where}.`, true)
  throw withDetail(error, { provider, detail: issue?.message })
}

export type PostJsonOptions = {
  url: string
  headers: Record<string, string>
  body: unknown
  signal: AbortSignal
  /** Provider name used in error messages. */
  provider: string
  /** Pulls the provider's own message out of its error body, for the log. */
  errorMessage: (body: unknown) => string | undefined
  /**
   * Set when the URL came from a tenant (its provider key's base URL): the call then goes
   * through the guarded fetch, redirects unfollowed. Operator-configured URLs leave it unset.
   */
  guard?: UrlGuardEnv
}

/** Longest answer read from a provider at a tenant's own base URL. */
export const MAX_TENANT_ANSWER_BYTES = 32 * 1024 * 1024

/** POSTs JSON and returns the parsed JSON answer, or throws a ProviderError. */
export async function postJson(options: PostJsonOptions): Promise<unknown> {
  const { url, headers, body, signal, provider, errorMessage, guard } = options
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  }
  let response: Response
  let text: string
  try {
    if (guard) {
      // A tenant's server: its answer is read only up to a bound.
      response = await fetchGuarded(guard, url, init)
      text = new TextDecoder().decode(await readBounded(response, MAX_TENANT_ANSWER_BYTES))
    } else {
      response = await fetch(url, init)
      text = await response.text()
    }
  } catch (error) {
    throw thrownError(error, signal, provider)
  }
  const json = parseJson(text)
  if (!response.ok) {
    throw answeredError({
      provider,
      status: response.status,
      detail: (json === undefined ? undefined : errorMessage(json)) ?? text,
      retryAfterMs: parseRetryAfter(response.headers),
      secrets: credentialsIn(headers),
    })
  }
  if (json === undefined) {
    throw new ProviderError('bad_response', `${provider} answered with a body that is not JSON.`, true)
  }
  return json
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
