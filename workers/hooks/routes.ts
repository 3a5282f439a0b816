// Inbound hooks under /hooks: public routes (no API key, no per-key rate limit), each verifying
// its sender's signature on the raw body before reading it. Mounted ahead of /v1's middleware.
import { z } from '@hono/zod-openapi'
import { hookAckSchema, slackCommandAnswerSchema } from '../../shared/schemas/integrations'
import { createRouter, errorResponse, json, publicRoute } from '../api/openapi'
import { receiveGeneric } from './generic'
import { receiveShopify } from './shopify'
import { receiveSlack } from './slack'
import { receiveStripe } from './stripe'

const integrationParams = z.object({ integration_id: z.string().min(1).max(64) })

const hookErrors = {
  401: errorResponse('Signature missing, not matching (`invalid_signature`) or too old (`stale_timestamp`).'),
  429: errorResponse(
    'Too many refused requests from this address or for this hook (`rate_limited`); see Retry-After.',
  ),
}
const pathHookErrors = {
  ...hookErrors,
  404: errorResponse('No enabled integration of this kind with this id.'),
  422: errorResponse('The payload cannot become a task.'),
}
const platformHookErrors = {
  ...hookErrors,
  503: errorResponse('The hook’s signing secret is not configured.'),
}
const ack = json(hookAckSchema, 'Received (also when it was a duplicate, which is not processed again).')

export const hookRoutes = createRouter()
  .openapi(
    publicRoute({
      method: 'post',
      path: '/shopify/{integration_id}',
      tags: ['Inbound hooks'],
      summary: 'Shopify product webhooks (X-Shopify-Hmac-Sha256) → product_description and seo_meta batches',
      request: { params: integrationParams },
      responses: {
        200: ack,
        403: errorResponse('The shop is not the integration’s shop.'),
        ...pathHookErrors,
      },
    }),
    async (c) => c.json(await receiveShopify(c, c.req.valid('param').integration_id), 200),
  )
  .openapi(
    publicRoute({
      method: 'post',
      path: '/generic/{integration_id}',
      tags: ['Inbound hooks'],
      summary: 'Any sender signing the Standard Webhooks way → one task by the field mapping',
      request: { params: integrationParams },
      responses: { 200: ack, ...pathHookErrors },
    }),
    async (c) => c.json(await receiveGeneric(c, c.req.valid('param').integration_id), 200),
  )
  .openapi(
    publicRoute({
      method: 'post',
      path: '/stripe',
      tags: ['Inbound hooks'],
      summary: 'Stripe subscription events (Stripe-Signature v1) → the tenant’s plan',
      responses: { 200: ack, ...platformHookErrors },
    }),
    async (c) => c.json(await receiveStripe(c), 200),
  )
  .openapi(
    publicRoute({
      method: 'post',
      path: '/slack',
      tags: ['Inbound hooks'],
      summary: 'Slack slash command `/iabulk status <batch_id>` (X-Slack-Signature v0)',
      responses: {
        200: json(slackCommandAnswerSchema, 'The answer Slack shows to the user.'),
        ...platformHookErrors,
      },
    }),
    async (c) => c.json(await receiveSlack(c), 200),
  )
