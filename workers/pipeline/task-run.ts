// Everything tasks of one batch (or one realtime call) share while they run: the task, its
// params and run settings, the providers with the tenant's own keys decrypted, and how images
// named by uploaded file are read. The keys are read from D1 each time a run is made (once per
// chunk): a key deleted meanwhile is not used, nor replaced by the platform's; a replaced one is.
import { eq } from 'drizzle-orm'
import { db } from '../../shared/db/client'
import { providerKeys } from '../../shared/db/schema'
import type { RunSettings } from '../../shared/pipeline/messages'
import { decryptSecret } from '../../shared/secret-box'
import { answerSchema } from '../../shared/tasks/build-call'
import type { ContentPart, ImageInput, ModelCall } from '../../shared/tasks/model-call'
import type { TaskDefinition } from '../../shared/tasks/types'
import type { Provider } from '../ai/provider'
import { type ProviderEnv, providersFor, type TenantCredentials } from '../ai/providers'
import { keyDeletedProvider } from '../ai/providers/key-deleted'

export const DEFAULT_TASK_TIMEOUT_MS = 30_000

export type TaskRun = {
  tenantId: string
  task: TaskDefinition
  params: unknown
  settings: RunSettings
  /** The JSON schema chat answers must match. */
  schema: Record<string, unknown>
  /** Task type, route and answer schema as text: the part of every cache key the rows share. */
  cacheScope: string
  /** Rows were validated against the task's input when the batch ingested them. */
  inputsValidated: boolean
  providers: Record<string, Provider>
  /** Queue delivery of the chunk (1 for realtime calls). */
  delivery: number
  timeoutMs: number
  /** Replaces images given as `file:<id>` by the uploaded file's bytes. */
  resolveImages: (call: ModelCall) => Promise<ModelCall>
}

export type TaskRunEnv = ProviderEnv & Pick<Env, 'DB' | 'ENCRYPTION_KEY' | 'FILES' | 'TASK_TIMEOUT_MS'>

/** A row whose image names an uploaded file that does not exist. */
export class MissingImage extends Error {}

/** Route providers a tenant key can stand in for; a route of none of them needs no D1 read. */
const KEYED_PROVIDERS = new Set(['openai', 'anthropic'])

/**
 * The providers of a run with the tenant's keys as they are now, decrypted. A provider the run was
 * to call with a tenant key that is gone is `keyDeletedProvider`, so its tasks fall through to the
 * route's next target, or fail with `provider_key_deleted`.
 */
async function currentProviders(
  env: TaskRunEnv,
  tenantId: string,
  settings: RunSettings,
): Promise<Record<string, Provider>> {
  const inRoute = new Set(settings.route.map((target) => target.provider))
  if (![...inRoute].some((slug) => KEYED_PROVIDERS.has(slug))) return providersFor(env)
  const rows = await db(env.DB)
    .select({
      provider: providerKeys.provider,
      ciphertext: providerKeys.ciphertext,
      baseUrl: providerKeys.baseUrl,
    })
    .from(providerKeys)
    .where(eq(providerKeys.tenantId, tenantId))
  const current = rows.filter((row) => inRoute.has(row.provider))
  const entries = await Promise.all(
    current.map(async (row) => [
      row.provider,
      { apiKey: await decryptSecret(env.ENCRYPTION_KEY, row.ciphertext), baseUrl: row.baseUrl },
    ]),
  )
  const providers = providersFor(env, Object.fromEntries(entries) as TenantCredentials)
  const present = new Set(current.map((row) => row.provider))
  // Settings kept by a batch started before `tenantKeys` existed carry none.
  for (const slug of settings.tenantKeys ?? [])
    if (inRoute.has(slug) && !present.has(slug)) providers[slug] = keyDeletedProvider(slug)
  return providers
}

function imageReader(bucket: R2Bucket, tenantId: string) {
  const read = async (image: ImageInput): Promise<ImageInput> => {
    if (!('url' in image) || !image.url.startsWith('file:')) return image
    const fileId = image.url.slice('file:'.length)
    const object = await bucket.get(`uploads/${tenantId}/${fileId}`)
    if (!object) throw new MissingImage(`Image file ${fileId} does not exist.`)
    const bytes = new Uint8Array(await object.arrayBuffer())
    let binary = ''
    for (let i = 0; i < bytes.length; i += 0x8000)
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return { data: btoa(binary), mediaType: object.httpMetadata?.contentType ?? 'application/octet-stream' }
  }
  const readPart = async (part: ContentPart): Promise<ContentPart> =>
    part.type === 'image' ? { type: 'image', image: await read(part.image) } : part
  return async (call: ModelCall): Promise<ModelCall> => {
    if (call.kind === 'classify_image' || call.kind === 'detect_objects')
      return { ...call, image: await read(call.image) }
    if (call.kind !== 'chat') return call
    const messages = await Promise.all(
      call.messages.map(async (message) =>
        typeof message.content === 'string'
          ? message
          : { ...message, content: await Promise.all(message.content.map(readPart)) },
      ),
    )
    return { ...call, messages }
  }
}

export async function createTaskRun(
  env: TaskRunEnv,
  options: {
    tenantId: string
    task: TaskDefinition
    params: unknown
    settings: RunSettings
    delivery: number
    inputsValidated?: boolean
  },
): Promise<TaskRun> {
  const schema = answerSchema(options.task, options.params)
  return {
    ...options,
    schema,
    cacheScope: JSON.stringify([options.task.type, options.settings.route, schema]),
    inputsValidated: options.inputsValidated ?? false,
    providers: await currentProviders(env, options.tenantId, options.settings),
    timeoutMs: Number(env.TASK_TIMEOUT_MS) || DEFAULT_TASK_TIMEOUT_MS,
    resolveImages: imageReader(env.FILES, options.tenantId),
  }
}
