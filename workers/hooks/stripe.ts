// `POST /hooks/stripe`: IA Bulk's own Stripe account tells it about subscriptions; the tenant is
// `metadata.tenant_id` on the subscription, and its status sets the tenant's plan (active or
// trialing → `metadata.plan`, default `pro`; ended → `free`). Stripe signs with
// `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` keyed by the endpoint secret;
// only v1 is accepted, within 300 seconds.

import { eq } from 'drizzle-orm'
import type { Context } from 'hono'
import { z } from 'zod'
import { concatBytes } from '../../shared/bytes'
import { timingSafeEqual } from '../../shared/crypto'
import { type Database, db } from '../../shared/db/client'
import { plans, tenants } from '../../shared/db/schema'
import { errors } from '../../shared/errors'
import { recordAudit } from '../identity/audit'
import { hmacSha256, toHex, utf8 } from '../webhooks/hmac'
import { TIMESTAMP_TOLERANCE_SECONDS, type VerifyOutcome } from '../webhooks/standard-signature'
import { notConfigured, parseJsonBody, readRawBody, rejectHook } from './hook-request'
import type { HookAck } from './hook-work'
import { firstReceipt, forgetReceipt } from './receipts'

export async function verifyStripeSignature(options: {
  secret: string
  header: string | null
  body: Uint8Array
  nowSeconds: number
}): Promise<VerifyOutcome> {
  if (!options.header) return { ok: false, reason: 'missing_signature' }
  const pairs = options.header.split(',').map((pair) => pair.trim().split('='))
  const timestamp = pairs.find(([key]) => key === 't')?.[1]
  const offered = pairs.filter(([key, value]) => key === 'v1' && value).map(([, value]) => value!)
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || offered.length === 0)
    return { ok: false, reason: 'invalid_signature' }
  if (Math.abs(options.nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS)
    return { ok: false, reason: 'stale_timestamp' }
  const signed = concatBytes([utf8(`${timestamp}.`), options.body])
  const expected = toHex(await hmacSha256(utf8(options.secret), signed))
  let matched = false
  for (const signature of offered) matched = timingSafeEqual(signature, expected) || matched
  return matched ? { ok: true } : { ok: false, reason: 'invalid_signature' }
}

const SUBSCRIPTION_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]
const PAYING = ['active', 'trialing', 'past_due']
const ENDED = ['canceled', 'unpaid', 'incomplete_expired', 'paused']

const eventSchema = z.object({
  id: z.string(),
  type: z.string(),
  data: z.object({
    object: z.object({ status: z.string().optional(), metadata: z.record(z.string(), z.string()).nullish() }),
  }),
})

/** The plan a subscription event asks for, or null when it changes nothing (e.g. `incomplete`). */
export function planFor(
  type: string,
  status: string | undefined,
  metadata: Record<string, string>,
): string | null {
  if (type === 'customer.subscription.deleted' || ENDED.includes(status ?? '')) return 'free'
  if (PAYING.includes(status ?? '')) return metadata.plan ?? 'pro'
  return null
}

async function changePlan(database: Database, tenantId: string, planId: string, eventId: string) {
  const plan = await database.query.plans.findFirst({ where: eq(plans.id, planId) })
  if (!plan) return `Plan ${planId} does not exist.`
  const [changed] = await database
    .update(tenants)
    .set({ planId })
    .where(eq(tenants.id, tenantId))
    .returning({ id: tenants.id })
  if (changed)
    await recordAudit(database, {
      tenantId,
      actor: 'stripe',
      action: 'tenant.plan_changed',
      target: tenantId,
      details: { plan: planId, stripe_event: eventId },
    })
  return undefined
}

export async function receiveStripe(c: Context): Promise<HookAck> {
  const env: Env = c.env
  if (!env.STRIPE_WEBHOOK_SECRET) throw notConfigured('stripe', 'STRIPE_WEBHOOK_SECRET')
  const body = await readRawBody(c)
  const verdict = await verifyStripeSignature({
    secret: env.STRIPE_WEBHOOK_SECRET,
    header: c.req.header('Stripe-Signature') ?? null,
    body,
    nowSeconds: Math.floor(Date.now() / 1000),
  })
  if (!verdict.ok) return rejectHook(c, { source: 'stripe', reason: verdict.reason })

  const event = eventSchema.safeParse(parseJsonBody(body))
  if (!event.success) throw errors.validation('The body is not a Stripe event.')
  const { id, type, data } = event.data
  if (!SUBSCRIPTION_EVENTS.includes(type))
    return { received: true, duplicate: false, ignored: `Event ${type} is not used.` }
  const metadata = data.object.metadata ?? {}
  const tenantId = metadata.tenant_id
  const database = db(env.DB)
  const tenant = tenantId
    ? await database.query.tenants.findFirst({ where: eq(tenants.id, tenantId) })
    : undefined
  if (!tenant)
    return { received: true, duplicate: false, ignored: 'No known tenant_id in the subscription metadata.' }
  const planId = planFor(type, data.object.status, metadata)
  if (!planId)
    return { received: true, duplicate: false, ignored: `Status ${data.object.status} changes no plan.` }

  const receipt = { tenantId: tenant.id, source: 'stripe', deliveryId: id, body }
  if (!(await firstReceipt(database, receipt))) return { received: true, duplicate: true }
  try {
    const problem = tenant.planId === planId ? undefined : await changePlan(database, tenant.id, planId, id)
    return { received: true, duplicate: false, ...(problem ? { ignored: problem } : {}) }
  } catch (error) {
    await forgetReceipt(database, receipt)
    throw error
  }
}
