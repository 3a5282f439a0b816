// A chunk's result lines in seq order, from the parts the batch object names: the line of each
// finished task is in exactly one live part, or it failed without one (at ingest, or cancelled or
// dead-lettered: its line is made here from the row's name and the chunk's error).
import { generatedName, taskName } from '../ingest/rows'
import type { RawRecord } from '../ingest/slice'
import { readChunkRecords } from './chunk-input'
import { bitIsSet, type ChunkView, isFailedState, TASK_STATE } from './chunks'
import { failedLine } from './result-line'

export type ChunkLine = {
  seq: number
  /** The task's result line, JSON text. */
  line: string
  failed: boolean
  /** The row as read from the input file, when asked for (CSV renders input columns). */
  record?: RawRecord
}

const encoder = new TextEncoder()

async function partLines(bucket: R2Bucket, key: string): Promise<string[]> {
  const object = await bucket.get(key)
  if (!object) throw new Error(`The result part ${key} is missing.`)
  const text = await object.text()
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
}

function isWholePart(view: ChunkView): boolean {
  const [part] = view.parts
  if (view.parts.length !== 1 || !part || view.ingestErrors.length) return false
  for (let i = 0; i < view.states.length; i++)
    if (!bitIsSet(part.written, i) || !bitIsSet(part.live, i)) return false
  return true
}

/**
 * The chunk's lines as JSON Lines bytes, for the results file; a chunk whose one part holds every
 * task (the usual case) is passed through as stored.
 */
export async function chunkBytes(bucket: R2Bucket, view: ChunkView): Promise<Uint8Array> {
  if (isWholePart(view)) {
    const object = await bucket.get(view.parts[0]!.key)
    if (!object) throw new Error(`The result part ${view.parts[0]!.key} is missing.`)
    return new Uint8Array(await object.arrayBuffer())
  }
  const lines = await chunkLines(bucket, view)
  return encoder.encode(lines.map((entry) => `${entry.line}\n`).join(''))
}

/** The chunk's finished tasks in seq order; `failedOnly` for the errors listing, `records` for CSV. */
export async function chunkLines(
  bucket: R2Bucket,
  view: ChunkView,
  options: { failedOnly?: boolean; records?: boolean } = {},
): Promise<ChunkLine[]> {
  const count = view.states.length
  const lines: (string | undefined)[] = new Array(count)
  await Promise.all(
    view.parts.map(async (part) => {
      const texts = await partLines(bucket, part.key)
      let next = 0
      for (let i = 0; i < count; i++) {
        if (!bitIsSet(part.written, i)) continue
        const text = texts[next++]
        if (bitIsSet(part.live, i)) lines[i] = text
      }
    }),
  )
  for (const failed of view.ingestErrors)
    lines[failed.seq - view.firstSeq] = JSON.stringify(failedLine(failed.customId, failed.error))

  const wanted = (i: number) =>
    view.states[i] !== TASK_STATE.open && (!options.failedOnly || isFailedState(view.states[i]!))
  let missing = false
  for (let i = 0; i < count; i++) if (wanted(i) && lines[i] === undefined) missing = true
  const records =
    options.records || missing ? await readChunkRecords(bucket, view.input) : ([] as RawRecord[])

  const out: ChunkLine[] = []
  for (let i = 0; i < count; i++) {
    if (!wanted(i)) continue
    const seq = view.firstSeq + i
    const record = records[i]
    let line = lines[i]
    if (line === undefined) {
      const name = record ? taskName(record, seq, view.input.mapping) : generatedName(seq)
      line = JSON.stringify(
        failedLine(name, view.fallback ?? { code: 'unknown_error', message: 'The task failed.' }),
      )
    }
    out.push({ seq, line, failed: isFailedState(view.states[i]!), ...(options.records && { record }) })
  }
  return out
}
