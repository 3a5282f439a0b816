// Helpers for inbound hook tests: signatures made with Node's crypto (an implementation
// independent of the WebCrypto code under test), hook calls with raw bodies, integrations made
// through the API, and waiting for the batches a hook starts.
import { createHmac } from 'node:crypto'
import { type Body, call, callJson, signUp } from '../support/api'

export const shopifySignature = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('base64')

export const stripeSignature = (secret: string, timestamp: number, body: string) =>
  `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`

export const slackSignature = (secret: string, timestamp: number, body: string) =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`

export function standardHeaders(secret: string, id: string, timestamp: number, body: string) {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)

export function postHook(path: string, body: string, headers: Record<string, string>) {
  return call(path, { method: 'POST', body, headers })
}

export async function createIntegration(token: string, json: Record<string, unknown>) {
  return callJson('/v1/integrations', 201, { method: 'POST', token, json })
}

let unique = 0
/** A value no other test uses (shop domains and Slack team ids are unique across tenants). */
export function uniqueSuffix() {
  return `${Date.now().toString(36)}${(++unique).toString(36)}${Math.random().toString(36).slice(2, 6)}`
}

/** Polls the tenant's batches until `count` exist (hooks create them from the queue). */
export async function waitForBatches(token: string, count: number, timeoutMs = 15_000): Promise<Body[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { data } = await callJson('/v1/batches', 200, { token })
    if (data.length >= count || Date.now() > deadline) return data
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * The tenant's batches once every delivery before `sentinel` has been handled. `sentinel` sends one
 * more delivery (a fresh body) whose work queues behind anything the earlier ones queued, so once
 * the batches it starts exist, no earlier work is still waiting: `expected` counts them too. This is
 * how a test shows that a refused or duplicate delivery started nothing, without waiting a while.
 */
export async function batchesAfter(
  token: string,
  sentinel: () => Promise<Response>,
  expected: number,
): Promise<Body[]> {
  const answer = await sentinel()
  if (answer.status !== 200) throw new Error(`The sentinel delivery answered ${answer.status}.`)
  await waitForBatches(token, expected)
  return (await callJson('/v1/batches', 200, { token })).data
}

/**
 * A new tenant with a Shopify integration, and `send` posting a product webhook to it: signed with
 * `appSecret` and with a fresh webhook id unless `headers` say otherwise (`undefined` drops one).
 */
export async function shopifyIntegration(appSecret: string, rules?: Record<string, unknown>) {
  const owner = await signUp()
  const shop = `shop-${uniqueSuffix()}.myshopify.com`
  const integration = await createIntegration(owner.accessToken, {
    kind: 'shopify',
    shop_domain: shop,
    app_secret: appSecret,
    ...(rules ? { rules } : {}),
  })
  const send = (body: string, headers: Record<string, string | undefined> = {}) => {
    const merged: Record<string, string | undefined> = {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': 'products/create',
      'X-Shopify-Shop-Domain': shop,
      'X-Shopify-Webhook-Id': crypto.randomUUID(),
      'X-Shopify-Hmac-Sha256': shopifySignature(appSecret, body),
      ...headers,
    }
    const present = Object.entries(merged).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    )
    return postHook(`/hooks/shopify/${integration.id}`, body, Object.fromEntries(present))
  }
  return { ...owner, shop, integration, send }
}
