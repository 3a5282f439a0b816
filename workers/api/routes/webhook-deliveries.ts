// An endpoint's delivery log, a test send, and manual redelivery of a logged message.
import { and, eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { webhookDeliveries, webhookMessages } from '../../../shared/db/schema'
import { selectPage } from '../../../shared/db/tenant-rows'
import { AppError, errors } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import { webhooksQueue } from '../../../shared/queues'
import { idParamSchema, listPage, listQuerySchema } from '../../../shared/schemas/common'
import {
  deliveryListSchema,
  deliveryParamsSchema,
  deliverySchema,
  redeliverySchema,
  TEST_EVENT,
} from '../../../shared/schemas/webhooks'
import { eventBody } from '../../../shared/webhooks/events'
import type { DeliveryMessage } from '../../../shared/webhooks/messages'
import { deliverOnce } from '../../webhooks/deliver'
import { presentDelivery } from '../../webhooks/delivery-log'
import { findEndpoint } from '../../webhooks/endpoints'
import { createRouter, errorResponse, json, protectedRoute } from '../openapi'

const tags = ['Webhooks']

export const webhookDeliveryRoutes = createRouter()
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/{id}/test',
      tags,
      summary: `Send a \`${TEST_EVENT}\` event now and answer how it went (not retried)`,
      request: { params: idParamSchema },
      responses: { 200: json(deliverySchema, 'The logged attempt: status, latency, error.') },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const database = db(c.env.DB)
      const endpoint = await findEndpoint(database, tenantId, c.req.valid('param').id)
      const timestamp = new Date().toISOString()
      const body = eventBody({ type: TEST_EVENT, timestamp, data: { endpoint_id: endpoint.id } })
      const [message] = await database
        .insert(webhookMessages)
        .values({ id: newId('msg'), tenantId, type: TEST_EVENT, body })
        .returning()
      const { delivery } = await deliverOnce(c.env, {
        endpoint,
        message: message!,
        attempt: 1,
        trigger: 'test',
      })
      return c.json(presentDelivery(delivery), 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}/deliveries',
      tags,
      summary: 'The delivery log: every attempt, newest first',
      request: { params: idParamSchema, query: listQuerySchema },
      responses: { 200: json(deliveryListSchema, 'A page of attempts.') },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const database = db(c.env.DB)
      const endpoint = await findEndpoint(database, tenantId, c.req.valid('param').id)
      const { limit, after } = c.req.valid('query')
      const rows = await selectPage(database, webhookDeliveries, {
        tenantId,
        limit,
        after,
        where: eq(webhookDeliveries.endpointId, endpoint.id),
      })
      return c.json(listPage(rows.map(presentDelivery), limit), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'post',
      path: '/{id}/deliveries/{delivery_id}/redeliver',
      tags,
      summary: 'Deliver a logged message again (same webhook-id), with retries',
      request: { params: deliveryParamsSchema },
      responses: {
        202: json(redeliverySchema, 'Queued.'),
        409: errorResponse('The endpoint is disabled; enable it first.'),
      },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const database = db(c.env.DB)
      const { id, delivery_id } = c.req.valid('param')
      const endpoint = await findEndpoint(database, tenantId, id)
      const delivery = await database.query.webhookDeliveries.findFirst({
        where: and(
          eq(webhookDeliveries.id, delivery_id),
          eq(webhookDeliveries.tenantId, tenantId),
          eq(webhookDeliveries.endpointId, endpoint.id),
        ),
      })
      if (!delivery) throw errors.notFound('Delivery')
      if (!endpoint.enabled)
        throw new AppError(
          'endpoint_disabled',
          409,
          'The endpoint is disabled; enable it (PATCH) to redeliver.',
        )
      const queued: DeliveryMessage = {
        kind: 'delivery',
        tenantId,
        endpointId: endpoint.id,
        messageId: delivery.messageId,
        trigger: 'manual',
      }
      await webhooksQueue(c.env).send(queued)
      return c.json(
        { object: 'webhook_redelivery' as const, endpoint_id: endpoint.id, message_id: delivery.messageId },
        202,
      )
    },
  )
