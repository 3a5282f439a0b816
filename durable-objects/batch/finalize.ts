// Writes a finished batch's results file to R2 as JSON Lines, chunk by chunk in seq order: each
// chunk's lines come from its parts (passed through as stored when one part holds them all), read
// a few chunks ahead, so memory holds a page of chunks whatever the batch's size.
import { mapWithConcurrency } from '../../shared/concurrency'
import { chunkBytes } from '../../shared/pipeline/chunk-lines'
import type { ChunkView } from '../../shared/pipeline/chunks'
import { createR2MultipartWriter } from '../../shared/r2-multipart-writer'

const PAGE_CHUNKS = 16
const READS_IN_FLIGHT = 8

export function resultsKey(tenantId: string, batchId: string) {
  return `results/${tenantId}/${batchId}.jsonl`
}

/** `views(afterSeq, limit)`: the batch's chunks after a seq, in order (the batch object's own). */
export async function writeResultFile(
  bucket: R2Bucket,
  key: string,
  views: (afterSeq: number, limit: number) => ChunkView[],
): Promise<{ bytes: number }> {
  const jsonl = await createR2MultipartWriter({
    bucket,
    key,
    httpMetadata: { contentType: 'application/jsonl; charset=utf-8' },
  })
  const out = jsonl.writable.getWriter()
  let bytes = 0
  try {
    let afterSeq = 0
    for (;;) {
      const page = views(afterSeq, PAGE_CHUNKS)
      if (!page.length) break
      for (const chunk of await mapWithConcurrency(page, READS_IN_FLIGHT, (view) =>
        chunkBytes(bucket, view),
      )) {
        if (!chunk.length) continue
        bytes += chunk.length
        await out.write(chunk)
      }
      const last = page.at(-1)!
      afterSeq = last.firstSeq + last.states.length - 1
    }
    await out.close()
    // A multipart upload needs a part; a batch without rows gets an empty object instead.
    await (bytes > 0 ? jsonl.complete() : jsonl.abort().then(() => bucket.put(key, '')))
    return { bytes }
  } catch (error) {
    await jsonl.abort().catch(() => {})
    throw error
  }
}
