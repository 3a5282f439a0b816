// Refuses webhook URLs that would make IA Bulk call into a private network (SSRF): only
// http(s), no credentials, and a host that is a public IP literal or a public-looking name.
// Checked when an endpoint is saved and again before every delivery. Names are not resolved
// here (Workers have no DNS API), so a public name pointing at a private address is left to
// the platform, which does not route Worker subrequests into our own networks.
import { AppError } from '../../shared/errors'
import { type AddressClass, classifyIPv4, classifyIPv6, parseIPv4, parseIPv6 } from './ip-ranges'

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string }

export type UrlGuardEnv = { APP_ENV: string; WEBHOOKS_ALLOW_LOCALHOST?: string }

const MAX_URL_LENGTH = 2048
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data'])
const PRIVATE_SUFFIXES = ['.localhost', '.internal', '.local', '.localdomain', '.home.arpa']

/** Loopback (localhost, 127/8, ::1) is allowed for local testing only: the flag and a development build. */
export function allowsLoopback(env: UrlGuardEnv): boolean {
  return env.APP_ENV === 'development' && env.WEBHOOKS_ALLOW_LOCALHOST === 'true'
}

function classifyHost(host: string): AddressClass | { kind: 'name' } {
  if (host.startsWith('[')) {
    const groups = parseIPv6(host.slice(1, -1))
    return groups ? classifyIPv6(groups) : { kind: 'refused', range: 'an IPv6 literal that does not parse' }
  }
  const v4 = parseIPv4(host)
  if (v4 !== null) return classifyIPv4(v4)
  if (host === 'localhost' || host.endsWith('.localhost')) return { kind: 'loopback', range: 'localhost' }
  if (METADATA_NAMES.has(host)) return { kind: 'refused', range: `${host} (cloud metadata)` }
  const suffix = PRIVATE_SUFFIXES.find((end) => host.endsWith(end))
  if (suffix) return { kind: 'refused', range: `*${suffix} (private names)` }
  if (!host.includes('.')) return { kind: 'refused', range: 'a single-label name (private names)' }
  return { kind: 'name' }
}

export function checkWebhookUrl(raw: string, options: { allowLoopback: boolean }): UrlVerdict {
  if (raw.length > MAX_URL_LENGTH)
    return { ok: false, reason: `URLs are limited to ${MAX_URL_LENGTH} characters.` }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, reason: 'It is not a valid absolute URL.' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: `Only http and https URLs are allowed, not ${url.protocol.slice(0, -1)}.` }
  if (url.username || url.password)
    return { ok: false, reason: 'URLs with credentials are not allowed; the signature authenticates us.' }
  const host = url.hostname.toLowerCase().replace(/\.$/, '')
  const verdict = classifyHost(host)
  if (verdict.kind === 'loopback' && !options.allowLoopback)
    return { ok: false, reason: `The host is a loopback address: ${verdict.range}.` }
  if (verdict.kind === 'refused')
    return { ok: false, reason: `The host is not on the public internet: ${verdict.range}.` }
  return { ok: true, url }
}

/** The URL, or a 400 `webhook_url_refused` saying why. */
export function assertWebhookUrl(raw: string, env: UrlGuardEnv): URL {
  const verdict = checkWebhookUrl(raw, { allowLoopback: allowsLoopback(env) })
  if (!verdict.ok)
    throw new AppError('webhook_url_refused', 400, `This URL cannot receive webhooks. ${verdict.reason}`)
  return verdict.url
}
