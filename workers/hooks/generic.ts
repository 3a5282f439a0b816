// `POST /hooks/generic/{integration_id}`: any system that signs the Standard Webhooks way
// (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the integration's `whsec_`
// secret; the JSON body becomes one task by the tenant's field mapping.
import type { Context } from 'hono'
import { db } from '../../shared/db/client'
import { AppError } from '../../shared/errors'
import { genericMappingSchema } from '../../shared/schemas/integrations'
import { verifyStandardWebhook } from '../webhooks/standard-signature'
import { mapFields, readPath } from './field-mapping'
import { parseJsonBody, readRawBody, rejectHook, unknownIntegration } from './hook-request'
import { type HookAck, queueHookBatches } from './hook-work'
import { findHookIntegration, openIntegrationSecret } from './integration-store'

export async function receiveGeneric(c: Context, integrationId: string): Promise<HookAck> {
  const body = await readRawBody(c)
  const database = db(c.env.DB)
  const integration = await findHookIntegration(database, 'generic', integrationId)
  if (!integration) return unknownIntegration(c)

  const verdict = await verifyStandardWebhook({
    secrets: [await openIntegrationSecret(c.env, integration)],
    headers: c.req.raw.headers,
    body,
    nowSeconds: Math.floor(Date.now() / 1000),
  })
  if (!verdict.ok) return rejectHook(c, { source: 'generic', reason: verdict.reason, integration })
  const deliveryId = c.req.header('webhook-id')!

  const document = parseJsonBody(body)
  const mapping = genericMappingSchema.parse(integration.config)
  const mapped = mapFields(document, mapping.fields)
  if (!mapped.ok)
    throw new AppError(
      'mapping_failed',
      422,
      `The payload lacks mapped fields: ${mapped.missing.join('; ')}.`,
      {
        missing: mapped.missing,
      },
    )
  const customId = mapping.custom_id ? readPath(document, mapping.custom_id) : deliveryId
  return queueHookBatches(c.env, {
    integration,
    source: `generic:${integration.id}`,
    deliveryId,
    body,
    batches: [
      {
        task: mapping.task,
        params: mapping.params,
        metadata: { source: 'generic', integration_id: integration.id, webhook_id: deliveryId },
        items: [{ custom_id: String(customId ?? deliveryId).slice(0, 256), input: mapped.input }],
      },
    ],
  })
}
