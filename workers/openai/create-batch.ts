// Creating a batch from an OpenAI request: the endpoint picks the task, and the model every
// line runs on is the first line's `body.model` (OpenAI takes one model per batch file). The rest
// is an ordinary batch: the same admission, coordinator, queue, router and accounting.
import type { z } from '@hono/zod-openapi'
import { and, eq } from 'drizzle-orm'
import { db } from '../../shared/db/client'
import { type FileRow, files } from '../../shared/db/schema'
import { AppError, errors } from '../../shared/errors'
import { parseSlice } from '../../shared/ingest/slice'
import type { openaiBatchCreateSchema } from '../../shared/schemas/openai'
import { createBatch } from '../batches/create-batch'
import type { Principal } from '../identity/principal'
import { presentOpenAIBatch, TASK_BY_ENDPOINT } from './present'

const HEAD_BYTES = 1 << 20

/** The first `body.model` among the lines in the first MiB of the file. */
async function firstModel(env: Env, file: FileRow): Promise<string> {
  const object = await env.FILES.get(file.r2Key, {
    range: { offset: 0, length: Math.min(file.bytes, HEAD_BYTES) },
  })
  if (!object) throw errors.notFound('Input file')
  const { records } = parseSlice('jsonl', new Uint8Array(await object.arrayBuffer()), {
    header: null,
    final: file.bytes <= HEAD_BYTES,
  })
  for (const record of records) {
    const model = record.ok ? (record.value.body as { model?: unknown } | undefined)?.model : undefined
    if (typeof model === 'string' && model) return model
  }
  throw new AppError(
    'missing_model',
    400,
    'No line at the start of the input file names a model: each line needs `body.model`, the same on every line.',
  )
}

export async function createOpenAIBatch(
  env: Env,
  principal: Principal,
  body: z.infer<typeof openaiBatchCreateSchema>,
  idempotencyKey: string | undefined,
) {
  const file = await db(env.DB).query.files.findFirst({
    where: and(eq(files.id, body.input_file_id), eq(files.tenantId, principal.tenantId)),
  })
  if (!file) throw new AppError('not_found', 404, `No such File object: ${body.input_file_id}`)
  if (file.format !== 'jsonl')
    throw errors.validation('The input file must be JSON Lines.', [
      { path: 'input_file_id', message: `${file.id} is a ${file.format.toUpperCase()} file` },
    ])
  const { batch } = await createBatch(
    env,
    principal,
    {
      task: TASK_BY_ENDPOINT[body.endpoint],
      params: {},
      model: await firstModel(env, file),
      metadata: body.metadata ?? undefined,
      input_file_id: file.id,
    },
    idempotencyKey,
  )
  return presentOpenAIBatch(batch)
}
