// The only way the Worker fetches a URL a tenant chose: the URL passes the guard first, the
// normalised URL is what is fetched, and redirects are never followed blindly. Either a 3xx
// comes back to the caller as it is (the default), or, for GET and HEAD with `maxRedirects`,
// each hop's Location is judged by the same guard before it is fetched. What such a URL answers
// is read with `readBounded`, so a tenant's server cannot fill the isolate's memory.
import { allowsLoopback, checkUrl, type UrlGuardEnv } from '../../shared/net/url-guard'
import { createByteLimiter } from '../files/byte-limit'

export type GuardedFetchOptions = {
  /** Refuse plain http (loopback excepted when the dev flag allows loopback). */
  httpsOnly?: boolean
  /** Redirects followed, each re-checked; 0 hands the 3xx back. Only GET and HEAD follow. */
  maxRedirects?: number
}

/** The URL (or a redirect's Location) did not pass the guard; nothing was sent to it. */
export class UrlRefusedError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url} was refused: ${reason}`)
    this.name = 'UrlRefusedError'
  }
}

/** The answer's body was longer than its reader allows; what was read is dropped. */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The answer is longer than ${maxBytes} bytes.`)
    this.name = 'ResponseTooLargeError'
  }
}

/**
 * The body of an answer, read only up to `maxBytes`: a longer one (by its Content-Length, or as it
 * streams) throws ResponseTooLargeError without being held whole.
 */
export async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array()
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body.cancel()
    throw new ResponseTooLargeError(maxBytes)
  }
  const limiter = createByteLimiter({ maxBytes, onExceeded: () => new ResponseTooLargeError(maxBytes) })
  return new Uint8Array(await new Response(response.body.pipeThrough(limiter.stream)).arrayBuffer())
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key']

function judged(env: UrlGuardEnv, url: string, httpsOnly: boolean): URL {
  const verdict = checkUrl(url, { allowLoopback: allowsLoopback(env), httpsOnly })
  if (!verdict.ok) throw new UrlRefusedError(url.slice(0, 200), verdict.reason)
  return verdict.url
}

/**
 * `fetch` for tenant-chosen URLs. Throws UrlRefusedError before any request when the URL (or
 * a redirect target) is refused; other failures are fetch's own.
 *
 * @example
 * const response = await fetchGuarded(env, image.url, { signal }, { maxRedirects: 3 })
 */
export async function fetchGuarded(
  env: UrlGuardEnv,
  url: string | URL,
  init: RequestInit = {},
  { httpsOnly = false, maxRedirects = 0 }: GuardedFetchOptions = {},
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase()
  const follows = maxRedirects > 0 && (method === 'GET' || method === 'HEAD')
  let target = judged(env, String(url), httpsOnly)
  let headers = new Headers(init.headers)
  for (let hop = 0; ; hop++) {
    const response = await fetch(target.href, { ...init, headers, redirect: 'manual' })
    const location = response.headers.get('location')
    if (!follows || !REDIRECTS.has(response.status) || !location) return response
    await response.body?.cancel()
    if (hop >= maxRedirects) throw new UrlRefusedError(target.href, `More than ${maxRedirects} redirects.`)
    let next: URL
    try {
      next = new URL(location, target)
    } catch {
      throw new UrlRefusedError(target.href, 'It redirected to a Location that is not a URL.')
    }
    const checked = judged(env, next.href, httpsOnly)
    if (checked.origin !== target.origin) {
      headers = new Headers(headers)
      for (const name of CREDENTIAL_HEADERS) headers.delete(name)
    }
    target = checked
  }
}
