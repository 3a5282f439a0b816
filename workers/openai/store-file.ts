// Stores an OpenAI batch input file through the same machinery as POST /v1/files: streamed to R2
// at `uploads/{tenant_id}/{file_id}` and recorded in D1, so either API can use it. Only JSON Lines.
import { db } from '../../shared/db/client'
import { files } from '../../shared/db/schema'
import { errors } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { receiveUpload, uploadLimit } from '../files/receive-upload'

export async function storeBatchFile(env: Env, tenantId: string, request: Request) {
  const id = newId('file')
  const key = `uploads/${tenantId}/${id}`
  const upload = await receiveUpload({
    request,
    bucket: env.FILES,
    key,
    maxBytes: uploadLimit(env),
    query: {},
  })
  if (upload.format !== 'jsonl') {
    await upload.abort()
    throw errors.validation(
      'Batch input files are JSON Lines: one request per line (name the file *.jsonl).',
      [{ path: 'file', message: 'expected a .jsonl file' }],
    )
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
