// The Shopify hook end to end: a signed products/create webhook becomes product_description and
// seo_meta batches that complete with results naming the product; a replay starts nothing; a
// bad signature answers 401 and leaves only an audit line.
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { db } from '../../shared/db/client'
import { inboundReceipts } from '../../shared/db/schema'
import { type Body, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { resultLines, waitForStatus } from '../support/batches'
import { batchesAfter, postHook, shopifyIntegration, shopifySignature, waitForBatches } from './support'

const APP_SECRET = 'shpss_test_app_secret_0123456789abcdef'

const PRODUCT = {
  id: 7001,
  title: 'Aurora Trail Runner',
  body_html: '<p>Grippy <strong>sole</strong> &amp; breathable mesh.</p>',
  product_type: 'Shoes',
  vendor: 'Acme',
  tags: 'running, trail',
  variants: [{ id: 1, price: '89.00' }],
}

const setup = (rules?: Record<string, unknown>) => shopifyIntegration(APP_SECRET, rules)

const receipts = (tenantId: string) =>
  db(env.DB).select().from(inboundReceipts).where(eq(inboundReceipts.tenantId, tenantId))

describe('Shopify hook', () => {
  it('turns a product webhook into completed batches whose results name the product', async () => {
    const { accessToken, integration, shop, send } = await setup({
      params: { product_description: { tone: 'playful' } },
    })
    expect(integration).toMatchObject({ kind: 'shopify', external_id: shop, secret: null })
    expect(integration.hook_url).toMatch(new RegExp(`/hooks/shopify/${integration.id}$`))

    const res = await send(JSON.stringify(PRODUCT))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, duplicate: false })

    const batches = await waitForBatches(accessToken, 2)
    expect(batches.map((batch: Body) => batch.task).sort()).toEqual(['product_description', 'seo_meta'])
    for (const batch of batches) {
      expect(batch.metadata).toMatchObject({
        source: 'shopify',
        shop_domain: shop,
        shopify_product_id: '7001',
      })
      expect(await waitForStatus(accessToken, batch.id)).toMatchObject({ status: 'completed' })
      const [line] = await resultLines(accessToken, batch.id)
      expect(line).toMatchObject({ custom_id: 'shopify-product-7001', status: 'succeeded' })
      expect(JSON.stringify(line.output)).toContain('Aurora Trail Runner')
    }
    const description = batches.find((batch: Body) => batch.task === 'product_description')
    expect(description.params).toMatchObject({ tone: 'playful' })
  })

  it('answers a replayed delivery as a duplicate and starts nothing more', async () => {
    const { accessToken, tenantId, send } = await setup({ tasks: ['seo_meta'] })
    const body = JSON.stringify(PRODUCT)
    const id = crypto.randomUUID()
    expect(await (await send(body, { 'X-Shopify-Webhook-Id': id })).json()).toEqual({
      received: true,
      duplicate: false,
    })
    expect(await (await send(body, { 'X-Shopify-Webhook-Id': id })).json()).toEqual({
      received: true,
      duplicate: true,
    })
    // One delivery, kept under its webhook id and under its body's digest.
    expect(await receipts(tenantId)).toHaveLength(2)
    await waitForBatches(accessToken, 1)
    const sentinel = () => send(JSON.stringify({ ...PRODUCT, id: 7002, title: 'Another product' }))
    expect(await batchesAfter(accessToken, sentinel, 2)).toHaveLength(2)
  })

  it('refuses a tampered body or a missing signature with 401, recording only an audit line', async () => {
    const { accessToken, tenantId, integration, send } = await setup()
    const signedFor = JSON.stringify(PRODUCT)
    const tampered = await send(JSON.stringify({ ...PRODUCT, title: 'Free shoes' }), {
      'X-Shopify-Hmac-Sha256': shopifySignature(APP_SECRET, signedFor),
    })
    expect(tampered.status).toBe(401)
    expectErrorEnvelope(await tampered.json(), 'invalid_signature')
    const unsigned = await send(signedFor, { 'X-Shopify-Hmac-Sha256': '' })
    expect(unsigned.status).toBe(401)
    expectErrorEnvelope(await unsigned.json(), 'missing_signature')

    const audit = await callJson('/v1/audit-log', 200, { token: accessToken })
    const rejected = audit.data.filter((entry: Body) => entry.action === 'hook.rejected')
    expect(rejected.map((entry: Body) => entry.details.reason).sort()).toEqual([
      'invalid_signature',
      'missing_signature',
    ])
    expect(rejected[0]).toMatchObject({ actor: 'system', target: integration.id })
    expect(await receipts(tenantId)).toHaveLength(0)
    // The one signed delivery after them starts its two batches, and nothing else was started.
    const sentinel = () => send(signedFor)
    const batches = await batchesAfter(accessToken, sentinel, 2)
    expect(batches.map((batch: Body) => batch.task).sort()).toEqual(['product_description', 'seo_meta'])
  })

  it('refuses another shop, ignores topics outside the rules, and 404s unknown integrations', async () => {
    const { accessToken, integration, send } = await setup({ topics: ['products/update'] })
    const body = JSON.stringify(PRODUCT)
    const otherShop = await send(body, { 'X-Shopify-Shop-Domain': 'someone-else.myshopify.com' })
    expect(otherShop.status).toBe(403)
    const ignored = await send(body)
    expect(await ignored.json()).toMatchObject({
      received: true,
      duplicate: false,
      ignored: expect.any(String),
    })
    const unknown = await postHook('/hooks/shopify/int_unknown', body, {
      'X-Shopify-Hmac-Sha256': shopifySignature(APP_SECRET, body),
    })
    expect(unknown.status).toBe(404)
    await callJson(`/v1/integrations/${integration.id}`, 200, {
      method: 'PATCH',
      token: accessToken,
      json: { enabled: false },
    })
    expect((await send(body, { 'X-Shopify-Topic': 'products/update' })).status).toBe(404)
  })

  it('keeps the app secret encrypted and out of every answer, and other tenants out', async () => {
    const { accessToken, integration } = await setup()
    const row = await db(env.DB).query.integrations.findFirst({
      where: (table, { eq }) => eq(table.id, integration.id),
    })
    expect(row!.secret).toMatch(/^v1\./)
    const listed = await callJson('/v1/integrations', 200, { token: accessToken })
    expect(JSON.stringify(listed)).not.toContain(APP_SECRET)
    const other = await signUp('Other Co')
    await callJson(`/v1/integrations/${integration.id}`, 404, { token: other.accessToken })
    const claimed = await callJson('/v1/integrations', 409, {
      method: 'POST',
      token: other.accessToken,
      json: { kind: 'shopify', shop_domain: integration.external_id, app_secret: APP_SECRET },
    })
    expectErrorEnvelope(claimed, 'conflict')
  })
})
