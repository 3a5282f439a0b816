// Drives the OpenAI-compatible surface as an OpenAI client would: JSONL batch files of requests,
// uploads, polling, and the output and error files.
import { expect } from 'vitest'
import { type Body, call, callJson, createKey, signUp } from '../support/api'

export const OPENAI = '/openai/v1'

/** A new tenant and an API key of it that can read and write. */
export async function tenantKey() {
  const owner = await signUp()
  return (await createKey(owner.accessToken, ['read', 'write'])).key
}

export function chatLine(customId: string, content: string, body: Record<string, unknown> = {}) {
  return {
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...body },
  }
}

export function embeddingLine(customId: string, input: string | string[]) {
  return {
    custom_id: customId,
    method: 'POST',
    url: '/v1/embeddings',
    body: { model: 'text-embedding-3-small', input },
  }
}

export function jsonl(lines: unknown[]): string {
  return `${lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n')}\n`
}

export async function uploadFile(key: string, content: string, filename = 'batch.jsonl', status = 200) {
  const form = new FormData()
  form.append('purpose', 'batch')
  form.append('file', new File([content], filename))
  return callJson(`${OPENAI}/files`, status, { method: 'POST', token: key, body: form })
}

export async function createOpenAIBatch(
  key: string,
  inputFileId: string,
  extra: Record<string, unknown> = {},
) {
  return callJson(`${OPENAI}/batches`, 200, {
    method: 'POST',
    token: key,
    json: {
      input_file_id: inputFileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      ...extra,
    },
  })
}

/** Polls until the batch reaches one of `statuses` (the local queue runs in the background). */
export async function waitForBatch(key: string, id: string, statuses = ['completed'], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  let batch: Body
  do {
    batch = await callJson(`${OPENAI}/batches/${id}`, 200, { token: key })
    if (statuses.includes(batch.status)) return batch
    await new Promise((resolve) => setTimeout(resolve, 50))
  } while (Date.now() < deadline)
  throw new Error(`Batch ${id} stayed ${batch.status}: ${JSON.stringify(batch.request_counts)}`)
}

export async function fileLines(key: string, fileId: string): Promise<Body[]> {
  const res = await call(`${OPENAI}/files/${fileId}/content`, { token: key })
  expect(res.status).toBe(200)
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
}

/** Asserts OpenAI's error shape, `{ error: { message, type, param, code } }`. */
export function expectOpenAIError(body: Body, type: string, code?: string) {
  expect(Object.keys(body)).toEqual(['error'])
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  expect(body.error.type).toBe(type)
  expect(body.error.message).toMatch(/\S/)
  if (code) expect(body.error.code).toBe(code)
}
