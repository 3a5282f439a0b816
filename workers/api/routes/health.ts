import { z } from '@hono/zod-openapi'
import { createRouter, json, publicRoute } from '../openapi'

const healthSchema = z.object({ status: z.literal('ok'), time: z.number().int() }).openapi('Health')

export const healthRoutes = createRouter().openapi(
  publicRoute({
    method: 'get',
    path: '/healthz',
    tags: ['Health'],
    summary: 'Liveness check (no authentication)',
    responses: { 200: json(healthSchema, 'The service is up.') },
  }),
  (c) => c.json({ status: 'ok' as const, time: Math.floor(Date.now() / 1000) }, 200),
)
