// Streams a batch's results, complete or partial (while it runs, or after a cancel): JSON Lines
// chunk by chunk as the consumers wrote them to R2 (a chunk whose one part holds every task is
// passed through as stored), or CSV page by page (see result-pages.ts), full or in an import
// layout (export-layouts.ts). A few chunks are read ahead; nothing is held beyond them, whatever
// the batch's size.
import { batchCoordinator } from '../../durable-objects/stubs'
import { mapWithConcurrency } from '../../shared/concurrency'
import type { BatchRow } from '../../shared/db/schema'
import { chunkBytes } from '../../shared/pipeline/chunk-lines'
import { lastSeqOf } from '../../shared/pipeline/chunks'
import { requireTask } from '../../shared/tasks'
import type { LayoutOptions } from './export-layouts'
import { type ResultPage, readResultPage } from './result-pages'

const PAGE_LINES = 2000
const CHUNKS_PER_CALL = 16
const READS_IN_FLIGHT = 8

function jsonlStream(env: Env, row: BatchRow): ReadableStream<Uint8Array> {
  const coordinator = batchCoordinator(env, row.tenantId, row.id)
  let afterSeq = 0
  return new ReadableStream({
    async pull(controller) {
      const views = await coordinator.resultChunks({ afterSeq, limit: CHUNKS_PER_CALL })
      if (!views.length) return controller.close()
      for (const bytes of await mapWithConcurrency(views, READS_IN_FLIGHT, (view) =>
        chunkBytes(env.FILES, view),
      ))
        if (bytes.length) controller.enqueue(bytes)
      afterSeq = lastSeqOf(views.at(-1)!)
    },
  })
}

/** A UTF-8 byte order mark: Excel reads a CSV that starts with one as UTF-8 (accents intact). */
const UTF8_BOM = new Uint8Array([0xef, 0xbb, 0xbf])

/**
 * The CSV, full or in an import layout. Its first page is read before the stream is answered, so
 * a request the batch cannot meet (a layout for another task) is a 400, not a broken download.
 */
async function csvStream(
  env: Env,
  row: BatchRow,
  options: { bom: boolean; layout?: LayoutOptions },
): Promise<ReadableStream<Uint8Array>> {
  const batch = { tenantId: row.tenantId, batchId: row.id, task: requireTask(row.task), params: row.params }
  const encoder = new TextEncoder()
  const read = (afterSeq: number) =>
    readResultPage(env, batch, { format: 'csv', afterSeq, limit: PAGE_LINES, layout: options.layout })
  let page: ResultPage | null = await read(0)
  return new ReadableStream({
    start(controller) {
      if (options.bom) controller.enqueue(UTF8_BOM)
    },
    async pull(controller) {
      if (!page) return controller.close()
      const lines = page.header ? [page.header, ...page.lines] : page.lines
      if (lines.length) controller.enqueue(encoder.encode(lines.map((line) => `${line}\r\n`).join('')))
      page = page.done ? null : await read(page.nextAfterSeq)
    },
  })
}

export async function streamResults(
  env: Env,
  row: BatchRow,
  format: 'jsonl' | 'csv',
  options: { bom?: boolean; layout?: LayoutOptions } = {},
): Promise<ReadableStream<Uint8Array>> {
  return format === 'jsonl'
    ? jsonlStream(env, row)
    : csvStream(env, row, { bom: options.bom ?? false, layout: options.layout })
}
