// Streams a batch's results: JSON Lines from the R2 file once finalised; CSV, and JSON Lines while
// the batch runs or after a cancel (partial results), page by page from the batch's coordinator.
import type { BatchRow } from '../../shared/db/schema'
import { batchCoordinator } from '../pipeline/coordinators'

const PAGE_ROWS = 2000

export async function streamResults(
  env: Env,
  row: BatchRow,
  format: 'jsonl' | 'csv',
): Promise<ReadableStream> {
  if (row.resultsKey && format === 'jsonl') {
    const object = await env.FILES.get(row.resultsKey)
    if (object) return object.body
  }
  const coordinator = batchCoordinator(env, row.tenantId, row.id)
  const encoder = new TextEncoder()
  const newline = format === 'csv' ? '\r\n' : '\n'
  let afterSeq = 0
  let done = false
  return new ReadableStream({
    async pull(controller) {
      if (done) return controller.close()
      const page = await coordinator.readResults({ format, afterSeq, limit: PAGE_ROWS })
      const lines = page.header ? [page.header, ...page.lines] : page.lines
      if (lines.length) controller.enqueue(encoder.encode(lines.map((line) => line + newline).join('')))
      if (page.lastSeq === null) done = true
      else afterSeq = page.lastSeq
      if (page.lines.length < PAGE_ROWS) done = true
    },
  })
}
