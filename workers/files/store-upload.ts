// Stores an uploaded file for POST /v1/files and the OpenAI files API alike: streamed to R2 at
// `uploads/{tenant_id}/{file_id}` and recorded in D1, so either API can use it.
import { db } from '../../shared/db/client'
import { type FileRow, files } from '../../shared/db/schema'
import { newId } from '../../shared/ids'
import { recordLimit } from '../../shared/ingest/record-limit'
import { type ReceivedUpload, type ReceiveUploadOptions, receiveUpload, uploadLimit } from './receive-upload'

export type StoreUploadOptions = {
  tenantId: string
  request: Request
  query: ReceiveUploadOptions['query']
  /** Refuses an upload by throwing; the upload is then dropped instead of committed. */
  check?: (upload: ReceivedUpload) => void
}

export async function storeUpload(env: Env, options: StoreUploadOptions): Promise<FileRow> {
  const { tenantId, request, query, check } = options
  const id = newId('file')
  const key = `uploads/${tenantId}/${id}`
  const upload = await receiveUpload({
    request,
    bucket: env.FILES,
    key,
    maxBytes: uploadLimit(env),
    maxRecordBytes: recordLimit(env),
    query,
  })
  try {
    check?.(upload)
  } catch (error) {
    await upload.abort()
    throw error
  }
  await upload.commit()
  const [row] = await db(env.DB)
    .insert(files)
    .values({
      id,
      tenantId,
      filename: upload.filename,
      purpose: upload.purpose,
      format: upload.format,
      contentType: upload.contentType,
      bytes: upload.bytes,
      records: upload.records,
      encoding: upload.dialect?.encoding,
      bom: upload.dialect?.bom,
      delimiter: upload.dialect?.delimiter,
      sheet: upload.sheet,
      r2Key: key,
      createdAt: Math.floor(Date.now() / 1000),
    })
    .returning()
    .catch(async (error: unknown) => {
      // Without its row the object would be unreachable: remove it rather than leak it.
      await env.FILES.delete(key)
      throw error
    })
  return row!
}
