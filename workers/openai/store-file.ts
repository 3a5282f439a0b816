// Stores an OpenAI batch input file through the same machinery as POST /v1/files, so either API
// can use it. Only JSON Lines.
import { errors } from '../../shared/errors'
import type { ReceivedUpload } from '../files/receive-upload'
import { storeUpload } from '../files/store-upload'

export function storeBatchFile(env: Env, tenantId: string, request: Request) {
  return storeUpload(env, { tenantId, request, query: {}, check: requireJsonLines })
}

function requireJsonLines(upload: ReceivedUpload) {
  if (upload.format === 'jsonl') return
  throw errors.validation('Batch input files are JSON Lines: one request per line (name the file *.jsonl).', [
    { path: 'file', message: 'expected a .jsonl file' },
  ])
}
