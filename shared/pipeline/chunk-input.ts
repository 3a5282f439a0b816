// A chunk's rows, read from the input file by byte range and parsed exactly as the batch object
// parsed them when it cut the chunk, so record i of the range is the chunk's task i.
import { withoutSkipped } from '../ingest/rows'
import { parseSlice, type RawRecord } from '../ingest/slice'
import type { InputRange } from './chunks'

export class InputMissing extends Error {
  constructor(key: string) {
    super(`The batch's input file ${key} no longer exists.`)
  }
}

export async function readChunkRecords(bucket: R2Bucket, input: InputRange): Promise<RawRecord[]> {
  const length = input.end - input.start
  if (length === 0) return []
  const object = await bucket.get(input.key, { range: { offset: input.start, length } })
  if (!object) throw new InputMissing(input.key)
  const bytes = new Uint8Array(await object.arrayBuffer())
  const slice = parseSlice(input.format, bytes, {
    header: input.header,
    final: true,
    maxRecordBytes: input.maxRecordBytes,
    dialect: input.dialect,
  })
  return withoutSkipped(slice, input.skipBlank).records
}
