// The Standard Webhooks signature scheme (standardwebhooks.com), used for the events IA Bulk
// sends and for the generic inbound hook: `webhook-signature: v1,<base64 HMAC-SHA256>` of
// `{webhook-id}.{webhook-timestamp}.{body}`, keyed by the base64 part of a `whsec_` secret.
// Several signatures, space-separated, let a secret rotate without downtime.
import { concatBytes } from '../../shared/bytes'
import { timingSafeEqual } from '../../shared/crypto'
import { type Bytes, fromBase64, hmacSha256, toBase64, utf8 } from './hmac'

export const SECRET_PREFIX = 'whsec_'
const SECRET_BYTES = 32
/** How far a `webhook-timestamp` may be from now, either way. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60

export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`
}

function keyOf(secret: string): Bytes {
  const key = fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret)
  if (!key || key.length === 0) throw new Error('A signing secret must be whsec_ followed by base64.')
  return key
}

/** One `v1,<base64>` signature. */
export async function sign(secret: string, id: string, timestamp: number, body: Uint8Array): Promise<string> {
  const signed = concatBytes([utf8(`${id}.${timestamp}.`), body])
  return `v1,${toBase64(await hmacSha256(keyOf(secret), signed))}`
}

/** The `webhook-signature` value: one signature per secret (current first), space-separated. */
export async function signatureHeader(
  secrets: string[],
  id: string,
  timestamp: number,
  body: Uint8Array,
): Promise<string> {
  const signatures = await Promise.all(secrets.map((secret) => sign(secret, id, timestamp, body)))
  return signatures.join(' ')
}

export type VerifyFailure = 'missing_signature' | 'stale_timestamp' | 'invalid_signature'
export type VerifyOutcome = { ok: true } | { ok: false; reason: VerifyFailure }

/**
 * Checks the three `webhook-*` headers against the raw body: the timestamp within the tolerance,
 * then any `v1` signature matching any of `secrets`, compared in constant time.
 */
export async function verifyStandardWebhook(options: {
  secrets: string[]
  headers: Headers
  body: Uint8Array
  nowSeconds: number
}): Promise<VerifyOutcome> {
  const id = options.headers.get('webhook-id')
  const timestamp = options.headers.get('webhook-timestamp')
  const header = options.headers.get('webhook-signature')
  if (!id || !timestamp || !header) return { ok: false, reason: 'missing_signature' }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid_signature' }
  if (Math.abs(options.nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS)
    return { ok: false, reason: 'stale_timestamp' }

  const offered = header
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .map((part) => part.slice(3))
  let matched = false
  for (const secret of options.secrets) {
    const expected = (await sign(secret, id, Number(timestamp), options.body)).slice(3)
    // Every comparison runs, so the time taken does not tell which one matched.
    for (const signature of offered) matched = timingSafeEqual(signature, expected) || matched
  }
  return matched ? { ok: true } : { ok: false, reason: 'invalid_signature' }
}
