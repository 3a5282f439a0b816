// `POST /hooks/shopify/{integration_id}`: a shop's product webhooks start `product_description`
// and `seo_meta` batches for the product, by the tenant's rules (topics, task types, params).
// Shopify signs with `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body keyed by the
// app's client secret. Its scheme signs neither a timestamp nor the delivery id
// (`X-Shopify-Webhook-Id`), so replays are caught by that id and by the digest of the body.
import type { Context } from 'hono'
import { z } from 'zod'
import { timingSafeEqual } from '../../shared/crypto'
import { db } from '../../shared/db/client'
import type { Integration } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { type ShopifyRules, shopifyRulesSchema } from '../../shared/schemas/integrations'
import type { HookBatch } from '../../shared/webhooks/messages'
import { hmacSha256, toBase64, utf8 } from '../webhooks/hmac'
import type { VerifyOutcome } from '../webhooks/standard-signature'
import { parseJsonBody, readRawBody, rejectHook, unknownIntegration } from './hook-request'
import { type HookAck, queueHookBatches } from './hook-work'
import { findHookIntegration, openIntegrationSecret } from './integration-store'

export async function verifyShopifyHmac(
  secret: string,
  body: Uint8Array,
  header: string | null,
): Promise<VerifyOutcome> {
  if (!header) return { ok: false, reason: 'missing_signature' }
  const expected = toBase64(await hmacSha256(utf8(secret), body))
  return timingSafeEqual(header.trim(), expected) ? { ok: true } : { ok: false, reason: 'invalid_signature' }
}

const productSchema = z.object({
  id: z.union([z.number(), z.string()]),
  title: z.string().trim().min(1),
  body_html: z.string().nullish(),
  product_type: z.string().nullish(),
  vendor: z.string().nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
})
type Product = z.infer<typeof productSchema>

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' }

function plainText(html: string | null | undefined, max: number): string {
  const text = (html ?? '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ENTITIES[name]!)
    .replace(/\s+/g, ' ')
    .trim()
  return text.slice(0, max)
}

function compact(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''))
}

function taskInput(task: ShopifyRules['tasks'][number], product: Product): Record<string, string> {
  const tags = (Array.isArray(product.tags) ? product.tags.join(', ') : (product.tags ?? '')).slice(0, 500)
  if (task === 'seo_meta')
    return compact({ title: product.title, content: plainText(product.body_html, 20_000), keywords: tags })
  const features = [
    product.product_type,
    product.vendor && `by ${product.vendor}`,
    tags,
    plainText(product.body_html, 4000),
  ]
  return compact({ title: product.title, features: features.filter(Boolean).join('. ').slice(0, 5000) })
}

export function productBatches(
  integration: Integration,
  rules: ShopifyRules,
  product: Product,
  topic: string,
): HookBatch[] {
  return rules.tasks.map((task) => ({
    task,
    params: rules.params[task] ?? {},
    metadata: {
      source: 'shopify',
      integration_id: integration.id,
      shop_domain: integration.externalId ?? '',
      shopify_topic: topic,
      shopify_product_id: String(product.id),
    },
    items: [{ custom_id: `shopify-product-${product.id}`, input: taskInput(task, product) }],
  }))
}

export async function receiveShopify(c: Context, integrationId: string): Promise<HookAck> {
  const body = await readRawBody(c)
  const database = db(c.env.DB)
  const integration = await findHookIntegration(database, 'shopify', integrationId)
  if (!integration) return unknownIntegration(c)

  const secret = await openIntegrationSecret(c.env, integration)
  const verdict = await verifyShopifyHmac(secret, body, c.req.header('X-Shopify-Hmac-Sha256') ?? null)
  if (!verdict.ok) return rejectHook(c, { source: 'shopify', reason: verdict.reason, integration })

  const shop = c.req.header('X-Shopify-Shop-Domain')?.toLowerCase()
  if (shop !== integration.externalId)
    throw errors.forbidden(`This hook is for ${integration.externalId}, not ${shop ?? 'an unnamed shop'}.`)
  const deliveryId = c.req.header('X-Shopify-Webhook-Id')
  if (!deliveryId) throw errors.validation('X-Shopify-Webhook-Id is missing.')
  const topic = c.req.header('X-Shopify-Topic') ?? ''
  const rules = shopifyRulesSchema.parse(integration.config)
  if (!(rules.topics as string[]).includes(topic))
    return {
      received: true,
      duplicate: false,
      ignored: `Topic ${topic || '(none)'} is not in this integration's rules.`,
    }

  const document = parseJsonBody(body)
  const product = productSchema.safeParse(document)
  if (!product.success)
    throw new AppError('invalid_product', 422, 'The body is not a Shopify product (id and title).')
  return queueHookBatches(c.env, {
    integration,
    source: 'shopify',
    deliveryId,
    body,
    batches: productBatches(integration, rules, product.data, topic),
  })
}
