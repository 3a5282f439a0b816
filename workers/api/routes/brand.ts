// The tenant's brand voice (voice, audience, language, words to avoid), carried in every prompt.
import { eq } from 'drizzle-orm'
import { db } from '../../../shared/db/client'
import { type BrandProfile, brandProfiles } from '../../../shared/db/schema'
import { brandSchema, brandUpdateSchema } from '../../../shared/schemas/ai'
import { createRouter, json, jsonBody, protectedRoute } from '../openapi'
import { recordCallerAudit } from '../request-context'

function present(row: BrandProfile | undefined) {
  return {
    voice: row?.voice ?? null,
    audience: row?.audience ?? null,
    language: row?.language ?? null,
    avoid_words: row?.avoidWords ?? [],
    updated_at: row?.updatedAt ?? null,
  }
}

export const brandRoutes = createRouter()
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Brand'],
      summary: 'The brand voice every prompt of this tenant carries',
      responses: { 200: json(brandSchema, 'The brand settings (empty when never set).') },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const row = await db(c.env.DB).query.brandProfiles.findFirst({
        where: eq(brandProfiles.tenantId, tenantId),
      })
      return c.json(present(row), 200)
    },
  )
  .openapi(
    protectedRoute('admin', {
      method: 'put',
      path: '/',
      tags: ['Brand'],
      summary: 'Set the brand voice; fields left out keep their value',
      request: jsonBody(brandUpdateSchema),
      responses: { 200: json(brandSchema, 'The brand settings now.') },
    }),
    async (c) => {
      const principal = c.get('principal')
      const database = db(c.env.DB)
      const body = c.req.valid('json')
      const current = present(
        await database.query.brandProfiles.findFirst({
          where: eq(brandProfiles.tenantId, principal.tenantId),
        }),
      )
      const next = {
        voice: body.voice === undefined ? current.voice : body.voice,
        audience: body.audience === undefined ? current.audience : body.audience,
        language: body.language === undefined ? current.language : body.language,
        avoidWords: body.avoid_words ? [...new Set(body.avoid_words)] : current.avoid_words,
        updatedAt: Math.floor(Date.now() / 1000),
      }
      const [row] = await database
        .insert(brandProfiles)
        .values({ tenantId: principal.tenantId, ...next })
        .onConflictDoUpdate({ target: brandProfiles.tenantId, set: next })
        .returning()
      await recordCallerAudit(c, { action: 'brand.updated', details: { fields: Object.keys(body) } })
      return c.json(present(row), 200)
    },
  )
