// Creating a batch: validate the request against the task catalogue, honour Idempotency-Key,
// admit it against the tenant's quotas before any work, record it in D1 and start its coordinator.
import { and, eq } from 'drizzle-orm'
import { emitBatchCreated } from '../../durable-objects/batch/events'
import { presentBatch } from '../../durable-objects/batch/present'
import { batchCoordinator, tenantCoordinator } from '../../durable-objects/stubs'
import { sha256Hex } from '../../shared/crypto'
import { db } from '../../shared/db/client'
import {
  batches,
  type DataFormat,
  dialectOf,
  type FileRow,
  files,
  idempotencyKeys,
} from '../../shared/db/schema'
import { tenantRow } from '../../shared/db/tenant-rows'
import { AppError, errors } from '../../shared/errors'
import { newId } from '../../shared/ids'
import { DEFAULT_DIALECT, type Dialect } from '../../shared/ingest/dialect'
import type { RunSettings } from '../../shared/pipeline/messages'
import type { BatchCreate } from '../../shared/schemas/batches'
import { requireTask } from '../../shared/tasks'
import { inputNames, parseTaskParams } from '../../shared/tasks/params'
import { resolveRunSettings } from '../ai/run-settings'
import { requireVerifiedOwner } from '../identity/email-verification'
import type { Principal } from '../identity/principal'
import { batchMapping } from './batch-mapping'
import { dataFormatOf, sampleRows } from './sample-rows'

export function validateTask(body: BatchCreate) {
  const task = requireTask(body.task)
  const params = parseTaskParams(task, body.params)
  const fields = [...inputNames(task), 'custom_id']
  const unknown = Object.keys(body.mapping ?? {}).filter((field) => !fields.includes(field))
  if (unknown.length && !body.template) {
    throw errors.validation(
      `The mapping names input fields the task does not have: ${unknown.join(', ')}. It takes: ${fields.join(', ')}.`,
    )
  }
  return { task, params }
}

/** The columns rows will have: keys of the first rows (inline or in the file) and the mapped fields. */
export async function inputColumns(
  env: Env,
  body: BatchCreate,
  file: FileRow | undefined,
): Promise<Set<string>> {
  const columns = new Set(Object.keys(body.mapping ?? {}))
  const { rows } = await sampleRows(env, body, file, file ? 1 : Number.POSITIVE_INFINITY)
  for (const row of rows) for (const key of Object.keys(row.input)) columns.add(key)
  return columns
}

export function checkTemplateVariables(settings: RunSettings, columns: Set<string>) {
  const unknown = settings.template?.variables.filter((name) => !columns.has(name)) ?? []
  if (unknown.length) {
    throw new AppError(
      'unknown_template_variables',
      400,
      `Template ${settings.template!.name}@${settings.template!.version} uses ${unknown.map((name) => `{{${name}}}`).join(', ')}, which the input does not have. Columns: ${[...columns].join(', ') || 'none'}.`,
      { unknown },
    )
  }
}

/** Where a batch's rows come from: an uploaded file, or items in the request. */
export type BatchInput =
  | { kind: 'file'; key: string; format: DataFormat; dialect: Dialect }
  | { kind: 'inline'; items: NonNullable<BatchCreate['items']> }

/** The batch's input as an R2 file: inline items are written as JSON Lines, as if uploaded. */
async function inputFile(env: Env, tenantId: string, batchId: string, input: BatchInput) {
  if (input.kind === 'file') return { key: input.key, format: input.format, dialect: input.dialect }
  const key = `inputs/${tenantId}/${batchId}.jsonl`
  const lines = input.items.map((item) => `${JSON.stringify({ ...item.input, custom_id: item.custom_id })}\n`)
  await env.FILES.put(key, lines.join(''), { httpMetadata: { contentType: 'application/jsonl' } })
  return { key, format: 'jsonl' as const, dialect: DEFAULT_DIALECT }
}

export async function createBatch(
  env: Env,
  principal: Principal,
  body: BatchCreate,
  idempotencyKey: string | undefined,
) {
  const database = db(env.DB)
  const tenantId = principal.tenantId
  const { task, params } = validateTask(body)
  await requireVerifiedOwner(database, tenantId)
  const maxInline = Number(env.MAX_INLINE_ITEMS ?? 10_000)
  if (body.items && body.items.length > maxInline) {
    throw new AppError(
      'too_many_items',
      413,
      `Inline items are limited to ${maxInline}; upload a file for more.`,
      { limit: maxInline },
    )
  }

  const requestHash = await sha256Hex(JSON.stringify(body))
  if (idempotencyKey) {
    const previous = await database.query.idempotencyKeys.findFirst({
      where: and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, idempotencyKey)),
    })
    if (previous) {
      if (previous.requestHash !== requestHash) {
        throw new AppError(
          'idempotency_key_reused',
          409,
          'This Idempotency-Key was used with a different request.',
        )
      }
      const row = await database.query.batches.findFirst({
        where: tenantRow(batches, { id: previous.resourceId, tenantId }),
      })
      if (row) return { batch: presentBatch(row), replayed: true }
    }
  }

  const file = body.input_file_id
    ? await database.query.files.findFirst({
        where: and(eq(files.id, body.input_file_id), eq(files.tenantId, tenantId)),
      })
    : undefined
  if (body.input_file_id && !file) throw errors.notFound('Input file')
  const format = file ? dataFormatOf(file) : null
  const mapping = await batchMapping(env, task, body, file)
  const settings = await resolveRunSettings(env, tenantId, {
    task,
    model: body.model,
    template: body.template,
    // Opt-in for batches: bulk rows are mostly unique, and caching every answer would cost each task
    // a write and fill the tenant's cache object (≤ 10 GB, ~16M answers) within minutes at full rate.
    cache: body.cache ?? false,
  })
  if (settings.template)
    checkTemplateVariables(
      settings,
      await inputColumns(env, { ...body, mapping: mapping ?? undefined }, file),
    )
  const total = file ? file.records : body.items!.length

  const batchId = newId('bat')
  const plan = principal.plan
  const tenant = tenantCoordinator(env, tenantId)
  const admission = await tenant.admitBatch({
    batchId,
    tasks: total,
    maxConcurrentBatches: plan.maxConcurrentBatches,
    monthlyTaskQuota: plan.monthlyTaskQuota,
    maxConcurrentTasks: plan.maxConcurrentTasks,
  })
  if (!admission.admitted) throw new AppError(admission.code, 429, admission.message)

  try {
    const [row] = await database.batch([
      database
        .insert(batches)
        .values({
          id: batchId,
          tenantId,
          status: 'validating',
          task: body.task,
          model: body.model ?? null,
          params,
          metadata: body.metadata ?? null,
          inputFileId: file?.id ?? null,
          mapping,
          skipBlank: body.skip_blank ?? null,
          template: settings.template ? `${settings.template.name}@${settings.template.version}` : null,
          total,
        })
        .returning(),
      ...(idempotencyKey
        ? [
            database
              .insert(idempotencyKeys)
              .values({ tenantId, key: idempotencyKey, requestHash, resourceId: batchId }),
          ]
        : []),
    ])
    const spec = { tenantId, batchId, task: body.task, params, settings, expected: total }
    const input: BatchInput = file
      ? { kind: 'file', key: file.r2Key, format: format!, dialect: dialectOf(file) }
      : { kind: 'inline', items: body.items! }
    // The coordinator keeps the created row, so it can present the batch without a D1 read.
    const summary = await batchCoordinator(env, tenantId, batchId).start({
      ...spec,
      row: row[0],
      input: {
        ...(await inputFile(env, tenantId, batchId, input)),
        mapping,
        skipBlank: body.skip_blank ?? null,
      },
    })
    await emitBatchCreated(env, { ...spec, ...summary })
    return { batch: presentBatch(row[0]!, summary), replayed: false }
  } catch (error) {
    await tenant.releaseBatch(batchId)
    throw error
  }
}
