// Tenants' JSON Web Key Sets, held across requests so that tokens do not make the Worker fetch.
// Two tiers: a map in the isolate, then the Cache API (`caches.default`, shared by the isolates
// of a location). jose's remote key set decides when to fetch: keys are kept for
// JWKS_CACHE_MAX_AGE_MS, and a token whose key id is unknown refetches at most once per
// JWKS_COOLDOWN_MS; a failed fetch blocks fetches of that URL for JWKS_COOLDOWN_MS too. Every
// fetch goes through the URL guard, https only (loopback under the dev flag), no redirects.
import {
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWKSCacheInput,
  jwksCache,
  type RemoteJWKSet,
} from 'jose'
import { sha256Hex } from '../../shared/crypto'
import type { UrlGuardEnv } from '../../shared/net/url-guard'
import { fetchGuarded, readBounded } from '../security/guarded-fetch'

export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000
export const JWKS_COOLDOWN_MS = 30_000
const JWKS_TIMEOUT_MS = 5_000
const MAX_JWKS_BYTES = 64 * 1024
const MAX_ISOLATE_ENTRIES = 256

/** jose reads and writes `jwks` and `uat`; `failedAt` is ours. */
type Held = { jwks?: JSONWebKeySet; uat?: number; failedAt?: number }

// A per-isolate first tier: without it every request would read the Cache API.
const isolate = new Map<string, Held>()

const within = (timestamp: number | undefined, ms: number) =>
  timestamp !== undefined && Date.now() < timestamp + ms

async function sharedKey(url: string): Promise<Request> {
  return new Request(`https://jwks-cache.ia-bulk.invalid/${await sha256Hex(url)}`)
}

async function readShared(url: string): Promise<Held | null> {
  try {
    const hit = await caches.default.match(await sharedKey(url))
    return hit ? ((await hit.json()) as Held) : null
  } catch {
    return null
  }
}

async function writeShared(url: string, held: Held, ttlMs: number): Promise<void> {
  const body = JSON.stringify(held)
  const headers = {
    'Content-Type': 'application/json',
    'Cache-Control': `max-age=${Math.ceil(ttlMs / 1000)}`,
  }
  try {
    await caches.default.put(await sharedKey(url), new Response(body, { headers }))
  } catch {
    // The shared tier is an optimisation; the isolate tier still bounds the fetches.
  }
}

function remember(url: string, held: Held): Held {
  isolate.delete(url)
  isolate.set(url, held)
  if (isolate.size > MAX_ISOLATE_ENTRIES) isolate.delete(isolate.keys().next().value!)
  return held
}

/** The isolate's entry, refreshed from the shared tier when it is not fresh. */
async function heldFor(url: string): Promise<Held> {
  const held = isolate.get(url)
  if (held && within(held.uat, JWKS_CACHE_MAX_AGE_MS)) return held
  const shared = await readShared(url)
  if (!held) return remember(url, shared ?? {})
  if (shared && (shared.uat ?? 0) > (held.uat ?? 0))
    Object.assign(held, { jwks: shared.jwks, uat: shared.uat })
  held.failedAt = Math.max(held.failedAt ?? 0, shared?.failedAt ?? 0) || undefined
  return held
}

function isKeySet(value: unknown): value is JSONWebKeySet {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys)
}

/** What jose calls to fetch: the shared tier if another isolate fetched just now, else the network. */
function fetcher(env: UrlGuardEnv, url: string, held: Held): FetchImplementation {
  return async (_href, init) => {
    if (within(held.failedAt, JWKS_COOLDOWN_MS))
      throw new Error('The key set could not be fetched a moment ago; not trying again yet.')
    const shared = await readShared(url)
    if (within(shared?.failedAt, JWKS_COOLDOWN_MS)) {
      held.failedAt = shared!.failedAt
      throw new Error('The key set could not be fetched a moment ago; not trying again yet.')
    }
    if (shared?.jwks && (shared.uat ?? 0) > (held.uat ?? 0) && within(shared.uat, JWKS_COOLDOWN_MS))
      return Response.json(shared.jwks)
    try {
      const response = await fetchGuarded(env, url, init, { httpsOnly: true })
      if (response.status !== 200) {
        await response.body?.cancel()
        throw new Error(`The key set answered ${response.status}.`)
      }
      const text = new TextDecoder().decode(await readBounded(response, MAX_JWKS_BYTES))
      const jwks: unknown = JSON.parse(text)
      if (!isKeySet(jwks)) throw new Error('The answer is not a JSON Web Key Set.')
      await writeShared(url, { jwks, uat: Date.now() }, JWKS_CACHE_MAX_AGE_MS)
      return Response.json(jwks)
    } catch (error) {
      held.failedAt = Date.now()
      const kept = { jwks: held.jwks, uat: held.uat }
      await writeShared(
        url,
        { ...kept, failedAt: held.failedAt },
        kept.jwks ? JWKS_CACHE_MAX_AGE_MS : JWKS_COOLDOWN_MS,
      )
      throw error
    }
  }
}

/**
 * The key resolver for a tenant's JWKS URL, seeded from the cache tiers and writing back to them.
 *
 * @example
 * await jwtVerify(token, await tenantKeySet(env, tenant.oidcJwksUrl), { algorithms, issuer })
 */
export async function tenantKeySet(env: UrlGuardEnv, jwksUrl: string): Promise<RemoteJWKSet> {
  const held = await heldFor(jwksUrl)
  return createRemoteJWKSet(new URL(jwksUrl), {
    cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    cooldownDuration: JWKS_COOLDOWN_MS,
    timeoutDuration: JWKS_TIMEOUT_MS,
    [jwksCache]: held as JWKSCacheInput,
    [customFetch]: fetcher(env, jwksUrl, held),
  })
}

/** Drops this isolate's tier, so tests can see what a fresh isolate of the same location sees. */
export function forgetIsolateKeySets(): void {
  isolate.clear()
}
