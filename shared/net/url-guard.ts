// The one guard on URLs IA Bulk fetches on a tenant's behalf (webhook targets, tenants' provider
// base URLs, OpenID Connect issuers and key sets, image URLs): http(s) only (https only where
// asked), no credentials, and a host that is a public IP literal or a public-looking name. The
// host is judged as the WHATWG URL parser normalises it (percent-encoding, full-width digits,
// numeric IPv4 forms, IPv6 spellings), and the caller fetches that normalised URL, so what is
// judged is what is fetched. Names are not resolved (Workers have no DNS API); names that exist
// to resolve to a private address (`10-0-0-1.nip.io`, `ip-10-0-0-1.ec2.internal`) are refused by
// their spelling, and the platform does not route Worker subrequests into our own networks.
import type { ErrorCode } from '../error-codes'
import { AppError } from '../errors'
import { type AddressClass, classifyIPv4, classifyIPv6, parseIPv4, parseIPv6 } from './ip-ranges'

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string }

export type UrlGuardEnv = Partial<Pick<Env, 'APP_ENV' | 'WEBHOOKS_ALLOW_LOCALHOST'>>

export type UrlGuardOptions = {
  /** Let localhost, 127/8 and ::1 through (local testing; see `allowsLoopback`). */
  allowLoopback: boolean
  /** Refuse plain http, except to loopback when loopback is allowed. */
  httpsOnly?: boolean
}

const MAX_URL_LENGTH = 2048
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data'])
const PRIVATE_SUFFIXES = ['.localhost', '.internal', '.local', '.localdomain', '.home.arpa', '.lan']
/** Public names whose every subdomain resolves to 127.0.0.1. */
const LOOPBACK_DOMAINS = ['localtest.me', 'lvh.me', 'vcap.me', 'lacolhost.com']
const DASHED_V4 = /(?:^|[^0-9])(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})$/

/** Loopback (localhost, 127/8, ::1) is allowed for local testing only: the flag and a development build. */
export function allowsLoopback(env: UrlGuardEnv): boolean {
  return env.APP_ENV === 'development' && env.WEBHOOKS_ALLOW_LOCALHOST === 'true'
}

const underDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`)

/** The non-public IPv4 address a name spells out (`10.0.0.1.nip.io`, `ip-10-0-0-1.ec2…`), if any. */
function embeddedAddress(labels: string[]): AddressClass | null {
  const candidates: string[] = []
  for (let i = 0; i + 4 <= labels.length; i++) {
    const quad = labels.slice(i, i + 4)
    if (quad.every((label) => /^\d{1,3}$/.test(label))) candidates.push(quad.join('.'))
  }
  for (const label of labels) {
    const dashed = DASHED_V4.exec(label)
    if (dashed) candidates.push(dashed.slice(1, 5).join('.'))
  }
  for (const candidate of candidates) {
    const address = parseIPv4(candidate)
    const verdict = address === null ? null : classifyIPv4(address)
    if (verdict && verdict.kind !== 'public') return verdict
  }
  return null
}

function classifyName(host: string): AddressClass | { kind: 'name' } {
  if (host === 'localhost' || host.endsWith('.localhost')) return { kind: 'loopback', range: 'localhost' }
  const loopbackDomain = LOOPBACK_DOMAINS.find((domain) => underDomain(host, domain))
  if (loopbackDomain) return { kind: 'loopback', range: `${loopbackDomain} (resolves to 127.0.0.1)` }
  if (METADATA_NAMES.has(host)) return { kind: 'refused', range: `${host} (cloud metadata)` }
  const suffix = PRIVATE_SUFFIXES.find((end) => host.endsWith(end))
  if (suffix) return { kind: 'refused', range: `*${suffix} (private names)` }
  if (!host.includes('.')) return { kind: 'refused', range: 'a single-label name (private names)' }
  const embedded = embeddedAddress(host.split('.'))
  if (embedded && embedded.kind !== 'public')
    return { kind: 'refused', range: `a name spelling out ${embedded.range}` }
  return { kind: 'name' }
}

/** Judges `url.hostname`: brackets mean IPv6; a trailing dot (or several) changes nothing. */
function classifyHost(hostname: string): AddressClass | { kind: 'name' } {
  if (hostname.startsWith('[')) {
    const groups = parseIPv6(hostname.slice(1, -1))
    return groups ? classifyIPv6(groups) : { kind: 'refused', range: 'an IPv6 literal that does not parse' }
  }
  const host = hostname.toLowerCase().replace(/\.+$/, '')
  if (!host) return { kind: 'refused', range: 'an empty host' }
  const v4 = parseIPv4(host)
  if (v4 !== null) return classifyIPv4(v4)
  return classifyName(host)
}

/** Whether the Worker may fetch this URL; the verdict carries the parsed URL to fetch. */
export function checkUrl(raw: string | URL, options: UrlGuardOptions): UrlVerdict {
  const text = String(raw)
  if (text.length > MAX_URL_LENGTH)
    return { ok: false, reason: `URLs are limited to ${MAX_URL_LENGTH} characters.` }
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { ok: false, reason: 'It is not a valid absolute URL.' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: `Only http and https URLs are allowed, not ${url.protocol.slice(0, -1)}.` }
  if (url.username || url.password)
    return { ok: false, reason: 'URLs with credentials (user:password@host) are not allowed.' }
  const verdict = classifyHost(url.hostname)
  if (verdict.kind === 'loopback' && !options.allowLoopback)
    return { ok: false, reason: `The host is a loopback address: ${verdict.range}.` }
  if (verdict.kind === 'refused')
    return { ok: false, reason: `The host is not on the public internet: ${verdict.range}.` }
  if (options.httpsOnly && url.protocol !== 'https:' && verdict.kind !== 'loopback')
    return { ok: false, reason: 'Only https URLs are allowed here.' }
  return { ok: true, url }
}

export type AssertUrlOptions = {
  /** The stable error code: `webhook_url_refused`, `provider_url_refused`, `url_refused`. */
  code: Extract<ErrorCode, `${string}url_refused`>
  /** The first sentence of the message, e.g. "This URL cannot receive webhooks." */
  refusal: string
  httpsOnly?: boolean
}

/** The URL, or a 400 with the given code saying why it is refused. */
export function assertUrl(raw: string, env: UrlGuardEnv, options: AssertUrlOptions): URL {
  const verdict = checkUrl(raw, { allowLoopback: allowsLoopback(env), httpsOnly: options.httpsOnly })
  if (!verdict.ok) throw new AppError(options.code, 400, `${options.refusal} ${verdict.reason}`)
  return verdict.url
}

/** The URL, or a 400 `webhook_url_refused` saying why. */
export function assertWebhookUrl(raw: string, env: UrlGuardEnv): URL {
  return assertUrl(raw, env, { code: 'webhook_url_refused', refusal: 'This URL cannot receive webhooks.' })
}
