// /openai/v1/files: upload a batch input file (JSON Lines), get a file, download its content.
// Ids of batch output and error files name their batch; their content is made as it is sent.

import type { SchemaObject } from 'openapi3-ts/oas31'
import { db } from '../../../../shared/db/client'
import { batches, files, isFinished } from '../../../../shared/db/schema'
import { tenantRow } from '../../../../shared/db/tenant-rows'
import { AppError } from '../../../../shared/errors'
import { idParamSchema } from '../../../../shared/schemas/common'
import { fileContentTypes } from '../../../../shared/schemas/files'
import { openaiFileSchema } from '../../../../shared/schemas/openai'
import { attachmentDisposition } from '../../../files/format'
import {
  OPENAI_TASKS,
  parseResultFileId,
  presentFile,
  presentResultFile,
  resultFileName,
} from '../../../openai/present'
import { streamResultFile } from '../../../openai/result-file'
import { storeBatchFile } from '../../../openai/store-file'
import { createRouter, json } from '../../openapi'
import { openaiRoute } from './route'

const noSuchFile = (id: string) => new AppError('not_found', 404, `No such File object: ${id}`)

// A plain OpenAPI schema, not zod: a zod body schema would make the router buffer the upload.
const uploadContent: Record<string, { schema: SchemaObject }> = {
  'multipart/form-data': {
    schema: {
      type: 'object',
      required: ['file', 'purpose'],
      properties: {
        file: {
          type: 'string',
          format: 'binary',
          description: 'JSON Lines: `{ custom_id, method, url, body }` per line.',
        },
        purpose: { type: 'string', enum: ['batch'] },
      },
    },
  },
}

/** A finished batch of the tenant made on this surface, whose results a result file id names. */
async function resultBatch(env: Env, tenantId: string, fileId: string) {
  const named = parseResultFileId(fileId)
  if (!named) return null
  const row = await db(env.DB).query.batches.findFirst({
    where: tenantRow(batches, { id: named.batchId, tenantId }),
  })
  if (!row || !OPENAI_TASKS.includes(row.task) || !isFinished(row.status)) throw noSuchFile(fileId)
  return { kind: named.kind, row }
}

async function uploadedFile(env: Env, tenantId: string, id: string) {
  const file = await db(env.DB).query.files.findFirst({
    where: tenantRow(files, { id, tenantId }),
  })
  if (!file) throw noSuchFile(id)
  return file
}

export const openaiFileRoutes = createRouter()
  .openapi(
    openaiRoute('write', {
      method: 'post',
      path: '/',
      summary: 'Upload a batch input file (multipart `file` and `purpose=batch`)',
      request: { body: { required: true, content: uploadContent } },
      responses: { 200: json(openaiFileSchema, 'The stored file.') },
    }),
    async (c) =>
      c.json(presentFile(await storeBatchFile(c.env, c.get('principal').tenantId, c.req.raw)), 200),
  )
  .openapi(
    openaiRoute('read', {
      method: 'get',
      path: '/{id}',
      summary: 'Get a file: an uploaded one, or a batch’s output or error file',
      request: { params: idParamSchema },
      responses: { 200: json(openaiFileSchema, 'The file.') },
    }),
    async (c) => {
      const { tenantId } = c.get('principal')
      const { id } = c.req.valid('param')
      const result = await resultBatch(c.env, tenantId, id)
      if (result) {
        return c.json(
          presentResultFile(result.kind, { id: result.row.id, finished_at: result.row.finishedAt }),
          200,
        )
      }
      return c.json(presentFile(await uploadedFile(c.env, tenantId, id)), 200)
    },
  )
  .openapi(
    openaiRoute('read', {
      method: 'get',
      path: '/{id}/content',
      summary: 'Download a file: as uploaded, or a batch’s output or error lines in OpenAI’s format',
      request: { params: idParamSchema },
      responses: {
        200: { description: 'The file’s bytes, streamed.', content: fileContentTypes },
      },
    }),
    async (c) => {
      const { tenantId } = c.get('principal')
      const { id } = c.req.valid('param')
      const result = await resultBatch(c.env, tenantId, id)
      if (result) {
        return c.body(await streamResultFile(c.env, result.row, result.kind), 200, {
          'Content-Type': 'application/jsonl; charset=utf-8',
          'Content-Disposition': attachmentDisposition(resultFileName(result.kind, result.row.id)),
        })
      }
      const file = await uploadedFile(c.env, tenantId, id)
      const object = await c.env.FILES.get(file.r2Key)
      if (!object) throw noSuchFile(id)
      return c.body(object.body, 200, {
        'Content-Type': file.contentType,
        'Content-Length': String(object.size),
        'Content-Disposition': attachmentDisposition(file.filename),
      })
    },
  )
