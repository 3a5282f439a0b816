// Each inbound scheme's verifier against known vectors. Slack publishes a worked example
// (api.slack.com/authentication/verifying-requests-from-slack): secret, timestamp, body and
// signature, used here as published. Shopify and Stripe publish the algorithm but no
// secret/body/signature triple, so their vectors were computed with OpenSSL
// (`openssl dgst -sha256 -hmac <secret>`), outside this code base.
import { describe, expect, it } from 'vitest'
import { verifyShopifyHmac } from '../../workers/hooks/shopify'
import { verifySlackSignature } from '../../workers/hooks/slack'
import { verifyStripeSignature } from '../../workers/hooks/stripe'
import { utf8 } from '../../workers/webhooks/hmac'

const SLACK = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
}

const STRIPE = {
  secret: 'whsec_test_stripe_endpoint_secret',
  timestamp: 1700000000,
  body: '{"id":"evt_test_webhook","object":"event","type":"customer.subscription.updated"}',
  v1: '76deb7bf6555a63744d499ba7bced3350e76ed1bcbbc328bb417445ae32ca2e0',
}

const SHOPIFY = {
  secret: 'shpss_example_app_secret_0123456789',
  body: '{"id":788032119674292922,"title":"Example T-Shirt"}',
  hmac: 'iNPkSIUR/POfFd0hZ9+uEUvPKeuJTPErlMTllhzBAOs=',
}

describe('Slack signatures', () => {
  const verify = (options: { body?: string; now?: number; signature?: string } = {}) =>
    verifySlackSignature({
      secret: SLACK.secret,
      timestamp: SLACK.timestamp,
      signature: options.signature ?? SLACK.signature,
      body: utf8(options.body ?? SLACK.body),
      nowSeconds: options.now ?? Number(SLACK.timestamp),
    })

  it("verifies Slack's documented example", async () => {
    expect(await verify()).toEqual({ ok: true })
  })

  it('rejects a tampered body, a stale timestamp and a missing signature', async () => {
    expect(await verify({ body: SLACK.body.replace('roadrunner', 'coyote') })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    })
    expect(await verify({ now: Number(SLACK.timestamp) + 301 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    })
    expect(await verify({ signature: '' })).toEqual({ ok: false, reason: 'missing_signature' })
  })
})

describe('Stripe signatures', () => {
  const verify = (header: string, options: { body?: string; now?: number } = {}) =>
    verifyStripeSignature({
      secret: STRIPE.secret,
      header,
      body: utf8(options.body ?? STRIPE.body),
      nowSeconds: options.now ?? STRIPE.timestamp,
    })

  it('verifies a v1 signature of "t.body", also among several', async () => {
    expect(await verify(`t=${STRIPE.timestamp},v1=${STRIPE.v1}`)).toEqual({ ok: true })
    expect(await verify(`t=${STRIPE.timestamp},v1=${'0'.repeat(64)},v1=${STRIPE.v1}`)).toEqual({ ok: true })
  })

  it('rejects v0-only headers, a tampered body, and timestamps over 300 s away', async () => {
    expect(await verify(`t=${STRIPE.timestamp},v0=${STRIPE.v1}`)).toEqual({
      ok: false,
      reason: 'invalid_signature',
    })
    expect(
      await verify(`t=${STRIPE.timestamp},v1=${STRIPE.v1}`, {
        body: STRIPE.body.replace('updated', 'deleted'),
      }),
    ).toEqual({ ok: false, reason: 'invalid_signature' })
    expect(await verify(`t=${STRIPE.timestamp},v1=${STRIPE.v1}`, { now: STRIPE.timestamp + 301 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    })
  })
})

describe('Shopify signatures', () => {
  it('verifies the base64 HMAC of the raw body, and rejects a tampered one', async () => {
    expect(await verifyShopifyHmac(SHOPIFY.secret, utf8(SHOPIFY.body), SHOPIFY.hmac)).toEqual({ ok: true })
    expect(await verifyShopifyHmac(SHOPIFY.secret, utf8(`${SHOPIFY.body} `), SHOPIFY.hmac)).toEqual({
      ok: false,
      reason: 'invalid_signature',
    })
    expect(await verifyShopifyHmac(SHOPIFY.secret, utf8(SHOPIFY.body), null)).toEqual({
      ok: false,
      reason: 'missing_signature',
    })
  })
})
