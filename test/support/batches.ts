// Drives batches through the public API and the queue, as a client and the platform would.
import { env } from 'cloudflare:workers'
import { expect } from 'vitest'
import { type Body, call, callJson } from './api'

export async function createBatch(
  token: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return callJson('/v1/batches', 202, { method: 'POST', token, json: body, headers })
}

/** Polls the batch until it reaches one of `statuses` (the local queue delivers in the background). */
export async function waitForStatus(
  token: string,
  id: string,
  statuses: string[] = ['completed'],
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs
  let batch: Body
  do {
    batch = await callJson(`/v1/batches/${id}`, 200, { token })
    if (statuses.includes(batch.status)) return batch
    await new Promise((resolve) => setTimeout(resolve, 50))
  } while (Date.now() < deadline)
  throw new Error(`Batch ${id} stayed ${batch.status}: ${JSON.stringify(batch.request_counts)}`)
}

export async function resultLines(token: string, id: string): Promise<Body[]> {
  const res = await call(`/v1/batches/${id}/results`, { token })
  expect(res.status).toBe(200)
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
}

/** Asserts every custom_id appears exactly once and the counts add up. */
export function expectEachExactlyOnce(batch: Body, lines: Body[], customIds: string[]) {
  const seen = lines.map((line) => line.custom_id).sort()
  expect(seen).toEqual([...customIds].sort())
  const counts = batch.request_counts
  expect(counts.total).toBe(customIds.length)
  expect(counts.completed + counts.failed).toBe(counts.total)
  expect(lines.filter((line) => line.status !== 'failed')).toHaveLength(counts.completed)
}

export function items(count: number, prefix = 'item') {
  return Array.from({ length: count }, (_, i) => ({
    custom_id: `${prefix}-${i + 1}`,
    input: { title: `Product ${i + 1}` },
  }))
}

/** Run settings of a batch started directly on its coordinator: the simulated provider, no extras. */
export const SIMULATED_SETTINGS = {
  route: [{ provider: 'simulated', model: 'simulated-1' }],
  brand: null,
  template: null,
  cache: false,
  tenantKeys: [],
}

export { env }
