// Writes a finished batch's results to R2 as JSONL and CSV, streaming page by page from the
// batch's SQLite so memory stays flat however many tasks the batch has.
import { createR2MultipartWriter } from '../../shared/r2-multipart-writer'
import type { TaskDefinition } from '../../shared/tasks/types'
import { csvColumns, readResultRows, toResultLine } from './results'

const PAGE_ROWS = 5000
const encoder = new TextEncoder()

export function resultsKey(tenantId: string, batchId: string, format: 'jsonl' | 'csv') {
  return `results/${tenantId}/${batchId}.${format}`
}

export async function writeResultFiles(
  bucket: R2Bucket,
  sql: SqlStorage,
  options: { tenantId: string; batchId: string; task: TaskDefinition },
): Promise<void> {
  const [jsonl, csv] = await Promise.all([
    createR2MultipartWriter({
      bucket,
      key: resultsKey(options.tenantId, options.batchId, 'jsonl'),
      httpMetadata: { contentType: 'application/jsonl; charset=utf-8' },
    }),
    createR2MultipartWriter({
      bucket,
      key: resultsKey(options.tenantId, options.batchId, 'csv'),
      httpMetadata: { contentType: 'text/csv; charset=utf-8' },
    }),
  ])
  const jsonlOut = jsonl.writable.getWriter()
  const csvOut = csv.writable.getWriter()
  try {
    const columns = csvColumns(options.task)
    await csvOut.write(encoder.encode(`${columns.header}\r\n`))
    let afterSeq = 0
    for (;;) {
      const rows = readResultRows(sql, { afterSeq, limit: PAGE_ROWS })
      if (!rows.length) break
      await jsonlOut.write(
        encoder.encode(rows.map((row) => `${JSON.stringify(toResultLine(row))}\n`).join('')),
      )
      await csvOut.write(encoder.encode(rows.map((row) => `${columns.line(row)}\r\n`).join('')))
      afterSeq = rows.at(-1)!.seq
    }
    await Promise.all([jsonlOut.close(), csvOut.close()])
    // A multipart upload needs a part; a batch without rows gets an empty JSONL object instead.
    const jsonlKey = resultsKey(options.tenantId, options.batchId, 'jsonl')
    await Promise.all([
      afterSeq > 0 ? jsonl.complete() : jsonl.abort().then(() => bucket.put(jsonlKey, '')),
      csv.complete(),
    ])
  } catch (error) {
    await Promise.allSettled([jsonl.abort(), csv.abort()])
    throw error
  }
}
