// Routes per task type: the tenant's override (provider/model targets tried in order) or the
// task's default on this deployment.
import { z } from '@hono/zod-openapi'
import { and, eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { providerKeys, routeOverrides } from '../../../shared/db/schema'
import { errors } from '../../../shared/errors'
import { routeSchema, routeUpdateSchema } from '../../../shared/schemas/ai'
import { findTask, requireTask, TASK_TYPES } from '../../../shared/tasks'
import { configuredProviders, defaultRoute } from '../../ai/providers'
import { createRouter, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

const taskParam = z.object({ task: z.string().min(1) })

export const modelRouteRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Routes'],
      summary: 'The route of every task type for this tenant',
      responses: {
        200: json(z.object({ object: z.literal('list'), data: z.array(routeSchema) }), 'Routes.'),
      },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const database = db(c.env.DB)
      const [overrides, keys] = await database.batch([
        database.select().from(routeOverrides).where(eq(routeOverrides.tenantId, tenantId)),
        database
          .select({ provider: providerKeys.provider })
          .from(providerKeys)
          .where(eq(providerKeys.tenantId, tenantId)),
      ])
      const configured = configuredProviders(
        c.env,
        keys.map((key) => key.provider),
      )
      const data = TASK_TYPES.map((type) => {
        const override = overrides.find((row) => row.task === type)
        return override
          ? { task: type, targets: override.targets, source: 'tenant' as const }
          : {
              task: type,
              targets: defaultRoute(findTask(type)!, configured, c.env),
              source: 'default' as const,
            }
      })
      return c.json({ object: 'list' as const, data: data as z.infer<typeof routeSchema>[] }, 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'put',
      path: '/{task}',
      tags: ['Routes'],
      summary: 'Set this tenant’s route for a task type',
      request: { params: taskParam, ...jsonBody(routeUpdateSchema) },
      responses: { 200: json(routeSchema, 'The route now.') },
    }),
    async (c) => {
      const principal = c.get('principal')
      const task = requireTask(c.req.valid('param').task, 404)
      const { targets } = c.req.valid('json')
      const missing = targets.filter(
        (target) => !task.models[target.provider] && target.provider !== 'simulated',
      )
      if (missing.length)
        throw errors.validation(
          `Task ${task.type} cannot run on ${missing.map((t) => t.provider).join(', ')}.`,
        )
      const database = db(c.env.DB)
      const values = { targets, updatedAt: Math.floor(Date.now() / 1000) }
      await database
        .insert(routeOverrides)
        .values({ tenantId: principal.tenantId, task: task.type, ...values })
        .onConflictDoUpdate({ target: [routeOverrides.tenantId, routeOverrides.task], set: values })
      await recordCallerAudit(c, { action: 'route.updated', target: task.type, details: { targets } })
      return c.json({ task: task.type, targets, source: 'tenant' as const }, 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'delete',
      path: '/{task}',
      tags: ['Routes'],
      summary: 'Go back to the task’s default route',
      request: { params: taskParam },
      responses: { 204: { description: 'Removed.' } },
    }),
    async (c) => {
      const principal = c.get('principal')
      const task = requireTask(c.req.valid('param').task, 404)
      await db(c.env.DB)
        .delete(routeOverrides)
        .where(and(eq(routeOverrides.tenantId, principal.tenantId), eq(routeOverrides.task, task.type)))
      return c.body(null, 204)
    },
  )
