// One HTTP attempt at delivering a message to an endpoint: the body signed (Standard Webhooks)
// or turned into a Slack message, sent through the guarded fetch (the URL re-checked, redirects
// handed back unfollowed), a 15 s timeout.
import type { WebhookEndpoint } from '../../shared/db/schema'
import type { UrlGuardEnv } from '../../shared/net/url-guard'
import { fetchGuarded, UrlRefusedError } from '../security/guarded-fetch'
import { utf8 } from './hmac'
import { parseRetryAfter } from './retry-schedule'
import { signingSecrets } from './secrets'
import { slackMessage } from './slack-message'
import { signatureHeader } from './standard-signature'

export const DELIVERY_TIMEOUT_MS = 15_000
const USER_AGENT = 'IA-Bulk-Webhooks/1.0'

export type StoredMessage = { id: string; type: string; body: string }

export type AttemptResult = {
  ok: boolean
  status: number | null
  latencyMs: number
  error: string | null
  /** The receiver answered 410 Gone: it wants no more deliveries. */
  gone: boolean
  /** The URL no longer passes the guard; nothing was sent. */
  refused: boolean
  retryAfterSeconds: number
}

export type SendEnv = Pick<Env, 'ENCRYPTION_KEY'> & UrlGuardEnv

async function request(
  env: SendEnv,
  endpoint: WebhookEndpoint,
  message: StoredMessage,
): Promise<RequestInit> {
  const headers = new Headers({ 'Content-Type': 'application/json', 'User-Agent': USER_AGENT })
  if (endpoint.kind === 'slack') {
    const { data } = JSON.parse(message.body) as { data: Record<string, unknown> }
    return { method: 'POST', headers, body: JSON.stringify(slackMessage(message.type, data)) }
  }
  const timestamp = Math.floor(Date.now() / 1000)
  const body = utf8(message.body)
  const secrets = await signingSecrets(env, endpoint, timestamp)
  headers.set('webhook-id', message.id)
  headers.set('webhook-timestamp', String(timestamp))
  headers.set('webhook-signature', await signatureHeader(secrets, message.id, timestamp, body))
  return { method: 'POST', headers, body }
}

function failure(error: string, extra: Partial<AttemptResult> = {}): AttemptResult {
  return {
    ok: false,
    status: null,
    latencyMs: 0,
    error,
    gone: false,
    refused: false,
    retryAfterSeconds: 0,
    ...extra,
  }
}

export async function sendAttempt(
  env: SendEnv,
  endpoint: WebhookEndpoint,
  message: StoredMessage,
  { timeoutMs = DELIVERY_TIMEOUT_MS } = {},
): Promise<AttemptResult> {
  const init = await request(env, endpoint, message)
  const started = Date.now()
  let response: Response
  try {
    response = await fetchGuarded(env, endpoint.url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    if (error instanceof UrlRefusedError) return failure(`URL refused: ${error.reason}`, { refused: true })
    const latencyMs = Date.now() - started
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError'
    return failure(timedOut ? `No answer within ${timeoutMs / 1000} s.` : `Connection failed: ${error}`, {
      latencyMs,
    })
  }
  const latencyMs = Date.now() - started
  // The body is not read: only the status counts, and the connection is freed at once.
  await response.body?.cancel()
  const status = response.status
  if (status >= 200 && status < 300)
    return { ok: true, status, latencyMs, error: null, gone: false, refused: false, retryAfterSeconds: 0 }
  const error =
    status >= 300 && status < 400
      ? `Answered ${status} (redirect to ${response.headers.get('Location') ?? 'nowhere'}); redirects are not followed.`
      : `Answered ${status}.`
  return failure(error, {
    status,
    latencyMs,
    gone: status === 410,
    retryAfterSeconds: parseRetryAfter(response.headers.get('Retry-After')),
  })
}
