// Writes a finished batch's results to R2 as JSONL and CSV, streaming page by page from the
// batch's SQLite so memory stays flat however many tasks the batch has.
import { R2PartWriter } from '../../shared/r2-part-writer'
import type { TaskDefinition } from '../../shared/tasks/types'
import { csvColumns, readResultRows, toResultLine } from './results'

const PAGE_ROWS = 5000

export function resultsKey(tenantId: string, batchId: string, format: 'jsonl' | 'csv') {
  return `results/${tenantId}/${batchId}.${format}`
}

export async function writeResultFiles(
  bucket: R2Bucket,
  sql: SqlStorage,
  options: { tenantId: string; batchId: string; task: TaskDefinition },
): Promise<void> {
  const jsonl = new R2PartWriter(bucket, resultsKey(options.tenantId, options.batchId, 'jsonl'), {
    httpMetadata: { contentType: 'application/jsonl; charset=utf-8' },
  })
  const csv = new R2PartWriter(bucket, resultsKey(options.tenantId, options.batchId, 'csv'), {
    httpMetadata: { contentType: 'text/csv; charset=utf-8' },
  })
  try {
    const columns = csvColumns(options.task)
    await csv.write(`${columns.header}\r\n`)
    let afterSeq = 0
    for (;;) {
      const rows = readResultRows(sql, { afterSeq, limit: PAGE_ROWS })
      if (!rows.length) break
      await jsonl.write(rows.map((row) => `${JSON.stringify(toResultLine(row))}\n`).join(''))
      await csv.write(rows.map((row) => `${columns.line(row)}\r\n`).join(''))
      afterSeq = rows.at(-1)!.seq
    }
    await Promise.all([jsonl.close(), csv.close()])
  } catch (error) {
    await Promise.allSettled([jsonl.abort(), csv.abort()])
    throw error
  }
}
