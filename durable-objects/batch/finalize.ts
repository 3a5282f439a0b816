// Writes a finished batch's results to R2 as JSON Lines, streaming page by page from the batch's
// SQLite so memory stays flat however many tasks the batch has. CSV is not written here: it is
// rendered from the batch's rows when asked for, so a batch costs one file, not two.
import { createR2MultipartWriter } from '../../shared/r2-multipart-writer'
import { readResultRows, resultLineText } from './results'

const PAGE_ROWS = 5000
const encoder = new TextEncoder()

export function resultsKey(tenantId: string, batchId: string) {
  return `results/${tenantId}/${batchId}.jsonl`
}

export async function writeResultFile(
  bucket: R2Bucket,
  sql: SqlStorage,
  options: { tenantId: string; batchId: string },
): Promise<void> {
  const key = resultsKey(options.tenantId, options.batchId)
  const jsonl = await createR2MultipartWriter({
    bucket,
    key,
    httpMetadata: { contentType: 'application/jsonl; charset=utf-8' },
  })
  const out = jsonl.writable.getWriter()
  try {
    let afterSeq = 0
    for (;;) {
      const rows = readResultRows(sql, { afterSeq, limit: PAGE_ROWS })
      if (!rows.length) break
      await out.write(encoder.encode(rows.map((row) => `${resultLineText(row)}\n`).join('')))
      afterSeq = rows.at(-1)!.seq
    }
    await out.close()
    // A multipart upload needs a part; a batch without rows gets an empty object instead.
    await (afterSeq > 0 ? jsonl.complete() : jsonl.abort().then(() => bucket.put(key, '')))
  } catch (error) {
    await jsonl.abort().catch(() => {})
    throw error
  }
}
