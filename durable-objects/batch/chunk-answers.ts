// What the batch object hands out about its chunks: a consumer's lease (what to run, and the byte
// range of the input file that holds it) and the views downloads read results by. Pure: it shapes
// what the store returns with the batch's spec, and writes nothing.
import type { ChunkLease, ChunkView, InputRange } from '../../shared/pipeline/chunks'
import type { BatchState } from './state'
import type { Lease, StoredChunk } from './store'

function inputRange(
  source: BatchState['source'],
  start: number,
  end: number,
  maxRecordBytes: number,
): InputRange {
  const { key, format, header, mapping, dialect, skipBlank } = source
  return { key, format, header, mapping, dialect, skipBlank, start, end, maxRecordBytes }
}

/** A consumer's lease on a chunk with open tasks; null when none is left to run. */
export function chunkLease(
  batch: BatchState,
  ref: { chunkId: number; dispatch: number },
  lease: Lease | null,
  maxRecordBytes: number,
): ChunkLease | null {
  if (!lease?.open.length) return null
  const { task, params, settings, source } = batch
  return {
    ...ref,
    lease: lease.lease,
    task,
    params,
    settings,
    input: inputRange(source, lease.start, lease.end, maxRecordBytes),
    firstSeq: lease.firstSeq,
    open: lease.open,
  }
}

/** The chunks' views, in order, for reading their results from R2 (shared/pipeline/chunk-lines.ts). */
export function chunkViews(batch: BatchState, chunks: StoredChunk[], maxRecordBytes: number): ChunkView[] {
  return chunks.map((chunk) => ({
    id: chunk.id,
    firstSeq: chunk.firstSeq,
    states: chunk.states,
    input: inputRange(batch.source, chunk.start, chunk.end, maxRecordBytes),
    parts: chunk.parts,
    ingestErrors: chunk.ingestErrors,
    fallback: chunk.fallback,
  }))
}
