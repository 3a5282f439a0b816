// Custom prompt templates, versioned: saving a name again makes the next version, and batches
// keep the version they were created with. Variables are read from the body when it is saved.
import { z } from '@hono/zod-openapi'
import { and, asc, desc, eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { type TemplateRow, templates } from '../../../shared/db/schema'
import { AppError, errors } from '../../../shared/errors'
import { newId } from '../../../shared/ids'
import {
  templateCreateSchema,
  templateListSchema,
  templateNameParamSchema,
  templateSchema,
} from '../../../shared/schemas/ai'
import { requireTask } from '../../../shared/tasks'
import { templateVariables } from '../../../shared/tasks/template'
import { actorId } from '../../identity/principal'
import { createRouter, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

function present(row: TemplateRow) {
  return {
    id: row.id,
    object: 'template' as const,
    name: row.name,
    version: row.version,
    task: row.task,
    body: row.body,
    system: row.system,
    variables: row.variables,
    created_at: row.createdAt,
  }
}

const templateResponse = (description: string) => json(templateSchema, description)

export const templateRoutes = createRouter()
  .openapi(
    protectedRoute('write', {
      method: 'post',
      path: '/',
      tags: ['Templates'],
      summary: 'Save a template; saving an existing name makes its next version',
      request: jsonBody(templateCreateSchema),
      responses: { 201: templateResponse('The saved version.') },
    }),
    async (c) => {
      const principal = c.get('principal')
      const body = c.req.valid('json')
      const task = requireTask(body.task)
      if (task.kind !== 'chat' || task.call)
        throw new AppError(
          'template_not_supported',
          400,
          `Task ${task.type} does not take a prompt template.`,
        )
      const variables = templateVariables(body.body)
      if (!variables.length)
        throw errors.validation(
          'The template body has no {{variables}}, so every row would get the same prompt.',
        )
      const database = db(c.env.DB)
      const latest = await database.query.templates.findFirst({
        where: and(eq(templates.tenantId, principal.tenantId), eq(templates.name, body.name)),
        orderBy: desc(templates.version),
      })
      const [row] = await database
        .insert(templates)
        .values({
          id: newId('tpl'),
          tenantId: principal.tenantId,
          name: body.name,
          version: (latest?.version ?? 0) + 1,
          task: task.type,
          system: body.system ?? null,
          body: body.body,
          variables,
          createdBy: actorId(principal),
        })
        .returning()
      await recordCallerAudit(c, {
        action: 'template.saved',
        target: row!.id,
        details: { name: row!.name, version: row!.version },
      })
      return c.json(present(row!), 201)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Templates'],
      summary: 'The latest version of every template',
      responses: { 200: json(templateListSchema, 'Templates by name.') },
    }),
    async (c) => {
      const rows = await db(c.env.DB)
        .select()
        .from(templates)
        .where(eq(templates.tenantId, c.get('principal').tenantId))
        .orderBy(asc(templates.name), desc(templates.version))
      const latest = rows.filter((row, index) => index === 0 || rows[index - 1]!.name !== row.name)
      return c.json({ object: 'list' as const, data: latest.map(present) }, 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{name}/versions',
      tags: ['Templates'],
      summary: 'Every version of a template, newest first',
      request: { params: templateNameParamSchema },
      responses: { 200: json(templateListSchema, 'The versions.') },
    }),
    async (c) => {
      const rows = await db(c.env.DB)
        .select()
        .from(templates)
        .where(
          and(
            eq(templates.tenantId, c.get('principal').tenantId),
            eq(templates.name, c.req.valid('param').name),
          ),
        )
        .orderBy(desc(templates.version))
      if (!rows.length) throw errors.notFound('Template')
      return c.json({ object: 'list' as const, data: rows.map(present) }, 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{name}',
      tags: ['Templates'],
      summary: 'A template: its latest version, or `?version=`',
      request: {
        params: templateNameParamSchema,
        query: z.object({ version: z.coerce.number().int().positive().optional() }),
      },
      responses: { 200: templateResponse('The template version.') },
    }),
    async (c) => {
      const { version } = c.req.valid('query')
      const row = await db(c.env.DB).query.templates.findFirst({
        where: and(
          eq(templates.tenantId, c.get('principal').tenantId),
          eq(templates.name, c.req.valid('param').name),
          version ? eq(templates.version, version) : undefined,
        ),
        orderBy: desc(templates.version),
      })
      if (!row) throw errors.notFound('Template')
      return c.json(present(row), 200)
    },
  )
  .openapi(
    protectedRoute('write', {
      method: 'delete',
      path: '/{name}',
      tags: ['Templates'],
      summary: 'Delete every version (running batches keep the version they started with)',
      request: { params: templateNameParamSchema },
      responses: { 204: { description: 'Deleted.' } },
    }),
    async (c) => {
      const principal = c.get('principal')
      const name = c.req.valid('param').name
      const database = db(c.env.DB)
      const deleted = await database
        .delete(templates)
        .where(and(eq(templates.tenantId, principal.tenantId), eq(templates.name, name)))
        .returning({ id: templates.id })
      if (!deleted.length) throw errors.notFound('Template')
      await recordCallerAudit(c, { action: 'template.deleted', target: name })
      return c.body(null, 204)
    },
  )
