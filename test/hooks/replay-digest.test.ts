// Replays caught by the body's digest: a signed body re-sent under a new delivery id starts no
// second batch, whether an attacker swapped the id (Shopify's X-Shopify-Webhook-Id is outside
// its HMAC) or a sender re-sent one payload as a new message.
import { describe, expect, it } from 'vitest'
import { signUp } from '../support/api'
import {
  createIntegration,
  nowSeconds,
  postHook,
  shopifyIntegration,
  shopifySignature,
  standardHeaders,
  uniqueSuffix,
  waitForBatches,
} from './support'

const APP_SECRET = 'shpss_test_app_secret_replay_0123456789'
const PRODUCT = JSON.stringify({ id: 9100, title: 'Replay Boot', body_html: '<p>Waxed leather.</p>' })

async function settle(token: string, expected: number) {
  await waitForBatches(token, expected)
  await new Promise((resolve) => setTimeout(resolve, 500))
  return (await waitForBatches(token, expected + 1, 200)).length
}

describe('hook replays under a new delivery id', () => {
  it('answers a Shopify delivery re-sent with the same body and HMAC but a new webhook id as a duplicate', async () => {
    const owner = await shopifyIntegration(APP_SECRET, { tasks: ['seo_meta'] })
    const { integration, shop } = owner
    const send = (webhookId: string) => owner.send(PRODUCT, { 'X-Shopify-Webhook-Id': webhookId })
    expect(await (await send(crypto.randomUUID())).json()).toEqual({ received: true, duplicate: false })
    expect(await (await send(crypto.randomUUID())).json()).toEqual({ received: true, duplicate: true })
    expect(await settle(owner.accessToken, 1)).toBe(1)

    const changed = JSON.stringify({ ...JSON.parse(PRODUCT), title: 'Replay Boot II' })
    const update = await postHook(`/hooks/shopify/${integration.id}`, changed, {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': 'products/create',
      'X-Shopify-Shop-Domain': shop,
      'X-Shopify-Webhook-Id': crypto.randomUUID(),
      'X-Shopify-Hmac-Sha256': shopifySignature(APP_SECRET, changed),
    })
    expect(await update.json()).toEqual({ received: true, duplicate: false })
  })

  it('answers a generic body signed again under a new webhook-id as a duplicate', async () => {
    const owner = await signUp()
    const integration = await createIntegration(owner.accessToken, {
      kind: 'generic',
      name: 'PIM',
      mapping: { task: 'seo_meta', fields: { title: '/name' } },
    })
    const body = JSON.stringify({ name: 'Replay Lamp' })
    const send = (id: string) =>
      postHook(`/hooks/generic/${integration.id}`, body, {
        'Content-Type': 'application/json',
        ...standardHeaders(integration.secret, id, nowSeconds(), body),
      })
    expect(await (await send(`msg_${uniqueSuffix()}`)).json()).toEqual({ received: true, duplicate: false })
    expect(await (await send(`msg_${uniqueSuffix()}`)).json()).toEqual({ received: true, duplicate: true })
    expect(await settle(owner.accessToken, 1)).toBe(1)
  })
})
