// Files of the caller's tenant: streamed upload to R2, list, get, download, delete.
// Objects live at `uploads/{tenant_id}/{file_id}`, and every lookup filters on the tenant.
import { type Database, db } from '../../../shared/db/client'
import { type FileRow, files } from '../../../shared/db/schema'
import { selectPage, tenantRow } from '../../../shared/db/tenant-rows'
import { errors } from '../../../shared/errors'
import { idParamSchema, listPage, listQuerySchema } from '../../../shared/schemas/common'
import {
  fileContentTypes,
  fileDeletedSchema,
  fileListSchema,
  fileSchema,
  fileUploadContent,
  fileUploadQuerySchema,
} from '../../../shared/schemas/files'
import { attachmentDisposition } from '../../files/format'
import { storeUpload } from '../../files/store-upload'
import { createRouter, errorResponse, json, protectedRoute } from '../openapi'

function present(file: FileRow) {
  return {
    id: file.id,
    object: 'file' as const,
    bytes: file.bytes,
    filename: file.filename,
    purpose: file.purpose,
    created_at: file.createdAt,
    format: file.format,
    records: file.records,
    encoding: file.format === 'csv' || file.format === 'jsonl' ? file.encoding : null,
    bom: file.bom,
    delimiter: file.delimiter,
    sheet: file.sheet,
  }
}

async function findFile(database: Database, tenantId: string, id: string) {
  const file = await database.query.files.findFirst({ where: tenantRow(files, { id, tenantId }) })
  if (!file) throw errors.notFound('File')
  return file
}

export const fileRoutes = createRouter()
  .openapi(
    protectedRoute('write', {
      method: 'post',
      path: '/',
      tags: ['Files'],
      summary: 'Upload a CSV or JSON Lines file (streamed; up to MAX_UPLOAD_BYTES)',
      description:
        'Send multipart/form-data with a `file` part and a `purpose` field, or the raw file as the ' +
        'body (Content-Type text/csv or application/jsonl) with `purpose` and `filename` in the query.',
      request: { query: fileUploadQuerySchema, body: { required: true, content: fileUploadContent } },
      responses: {
        200: json(fileSchema, 'The stored file, with its size and record count.'),
        413: errorResponse(
          'The file is over MAX_UPLOAD_BYTES (`payload_too_large`), or one record is over MAX_RECORD_BYTES (`record_too_large`).',
        ),
        415: errorResponse('Not a CSV or JSON Lines file.'),
      },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const file = await storeUpload(c.env, { tenantId, request: c.req.raw, query: c.req.valid('query') })
      return c.json(present(file), 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/',
      tags: ['Files'],
      summary: 'List files, newest first',
      request: { query: listQuerySchema },
      responses: { 200: json(fileListSchema, 'A page of files, newest first.') },
    }),
    async (c) => {
      const query = c.req.valid('query')
      const tenantId = c.get('principal').tenantId
      const rows = await selectPage(db(c.env.DB), files, { tenantId, ...query })
      return c.json(listPage(rows.map(present), query.limit), 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}',
      tags: ['Files'],
      summary: 'Get a file',
      request: { params: idParamSchema },
      responses: { 200: json(fileSchema, 'The file.') },
    }),
    async (c) => {
      const file = await findFile(db(c.env.DB), c.get('principal').tenantId, c.req.valid('param').id)
      return c.json(present(file), 200)
    },
  )
  .openapi(
    protectedRoute('read', {
      method: 'get',
      path: '/{id}/content',
      tags: ['Files'],
      summary: 'Download the file as uploaded',
      request: { params: idParamSchema },
      responses: { 200: { description: 'The file’s bytes, streamed.', content: fileContentTypes } },
    }),
    async (c) => {
      const file = await findFile(db(c.env.DB), c.get('principal').tenantId, c.req.valid('param').id)
      const object = await c.env.FILES.get(file.r2Key)
      if (!object) throw errors.notFound('File')
      return c.body(object.body, 200, {
        'Content-Type': file.contentType,
        'Content-Length': String(object.size),
        'Content-Disposition': attachmentDisposition(file.filename),
        ETag: object.httpEtag,
      })
    },
  )
  .openapi(
    protectedRoute('write', {
      method: 'delete',
      path: '/{id}',
      tags: ['Files'],
      summary: 'Delete a file and its stored bytes',
      request: { params: idParamSchema },
      responses: { 200: json(fileDeletedSchema, 'The file is deleted.') },
    }),
    async (c) => {
      const tenantId = c.get('principal').tenantId
      const database = db(c.env.DB)
      const file = await findFile(database, tenantId, c.req.valid('param').id)
      await c.env.FILES.delete(file.r2Key)
      await database.delete(files).where(tenantRow(files, file))
      return c.json({ id: file.id, object: 'file' as const, deleted: true as const }, 200)
    },
  )
