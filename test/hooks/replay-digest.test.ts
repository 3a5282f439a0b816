// Replays caught by the body's digest: a signed body re-sent under a new delivery id starts no
// second batch, whether an attacker swapped the id (Shopify's X-Shopify-Webhook-Id is outside
// its HMAC) or a sender re-sent one payload as a new message.
import { describe, expect, it } from 'vitest'
import { signUp } from '../support/api'
import {
  batchesAfter,
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

describe('hook replays under a new delivery id', () => {
  it('answers a Shopify delivery re-sent with the same body and HMAC but a new webhook id as a duplicate', async () => {
    const owner = await shopifyIntegration(APP_SECRET, { tasks: ['seo_meta'] })
    const { integration, shop } = owner
    const send = (webhookId: string) => owner.send(PRODUCT, { 'X-Shopify-Webhook-Id': webhookId })
    expect(await (await send(crypto.randomUUID())).json()).toEqual({ received: true, duplicate: false })
    expect(await (await send(crypto.randomUUID())).json()).toEqual({ received: true, duplicate: true })
    await waitForBatches(owner.accessToken, 1)

    // A changed body is new work: it starts the second batch, and once it has, no third came.
    const changed = JSON.stringify({ ...JSON.parse(PRODUCT), title: 'Replay Boot II' })
    const update = () =>
      postHook(`/hooks/shopify/${integration.id}`, changed, {
        'Content-Type': 'application/json',
        'X-Shopify-Topic': 'products/create',
        'X-Shopify-Shop-Domain': shop,
        'X-Shopify-Webhook-Id': crypto.randomUUID(),
        'X-Shopify-Hmac-Sha256': shopifySignature(APP_SECRET, changed),
      })
    expect(await batchesAfter(owner.accessToken, update, 2)).toHaveLength(2)
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
    await waitForBatches(owner.accessToken, 1)
    const other = JSON.stringify({ name: 'Replay Lamp II' })
    const sentinel = () =>
      postHook(`/hooks/generic/${integration.id}`, other, {
        'Content-Type': 'application/json',
        ...standardHeaders(integration.secret, `msg_${uniqueSuffix()}`, nowSeconds(), other),
      })
    expect(await batchesAfter(owner.accessToken, sentinel, 2)).toHaveLength(2)
  })
})
