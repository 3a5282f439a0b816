// Streams a batch's results: JSON Lines from the R2 file once finalised; CSV, and JSON Lines while
// the batch runs or after a cancel (partial results), page by page (see result-pages.ts).
import type { BatchRow } from '../../shared/db/schema'
import { requireTask } from '../../shared/tasks'
import { readResultPage } from './result-pages'

const PAGE_LINES = 2000

export async function streamResults(
  env: Env,
  row: BatchRow,
  format: 'jsonl' | 'csv',
): Promise<ReadableStream> {
  if (row.resultsKey && format === 'jsonl') {
    const object = await env.FILES.get(row.resultsKey)
    if (object) return object.body
  }
  const batch = { tenantId: row.tenantId, batchId: row.id, task: requireTask(row.task) }
  const encoder = new TextEncoder()
  const newline = format === 'csv' ? '\r\n' : '\n'
  let afterSeq = 0
  let done = false
  return new ReadableStream({
    async pull(controller) {
      if (done) return controller.close()
      const page = await readResultPage(env, batch, { format, afterSeq, limit: PAGE_LINES })
      const lines = page.header ? [page.header, ...page.lines] : page.lines
      if (lines.length) controller.enqueue(encoder.encode(lines.map((line) => line + newline).join('')))
      afterSeq = page.seqs.at(-1) ?? afterSeq
      done = page.done
      if (done && !lines.length) controller.close()
    },
  })
}
