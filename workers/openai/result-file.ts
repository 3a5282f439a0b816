// The content of a batch's output or error file: the batch's result lines, streamed from R2 or
// page by page from its coordinator, each turned into OpenAI's batch output line as it passes.
// Nothing is buffered beyond one chunk of the stream.
import type { BatchRow } from '../../shared/db/schema'
import { fnv1a } from '../../shared/hash'
import type { ResultLine } from '../../shared/pipeline/result-line'
import { streamResults } from '../batches/result-stream'
import { errorType, statusOfTaskError } from './errors'
import type { ResultFileKind } from './present'
import { responseBody } from './responses'

/** Stable per batch and custom_id, so downloading a file twice gives the same ids. */
function lineId(batchId: string, customId: string): string {
  const a = fnv1a(`${batchId}/${customId}`).toString(16).padStart(8, '0')
  const b = fnv1a(`${customId}/${batchId}`).toString(16).padStart(8, '0')
  return a + b
}

function outputLine(row: BatchRow, line: ResultLine) {
  const id = lineId(row.id, line.custom_id)
  return {
    id: `batch_req_${id}`,
    custom_id: line.custom_id,
    response: {
      status_code: 200,
      request_id: `req_${id}`,
      body: responseBody(row.task, {
        id: `chatcmpl-${id}`,
        created: row.finishedAt ?? row.createdAt,
        model: line.model ?? row.model ?? '',
        output: line.output,
        usage: line.usage ?? { input_tokens: 0, output_tokens: 0 },
      }),
    },
    error: null,
  }
}

function errorLine(row: BatchRow, line: ResultLine) {
  const id = lineId(row.id, line.custom_id)
  const { code, message } = line.error ?? { code: 'unknown_error', message: 'The request failed.' }
  // Requests the batch never ran (it was cancelled) have no response, as on OpenAI.
  if (code === 'cancelled')
    return {
      id: `batch_req_${id}`,
      custom_id: line.custom_id,
      response: null,
      error: { code: 'batch_cancelled', message },
    }
  const status = statusOfTaskError(code)
  return {
    id: `batch_req_${id}`,
    custom_id: line.custom_id,
    response: {
      status_code: status,
      request_id: `req_${id}`,
      body: { error: { message, type: errorType(status), param: null, code } },
    },
    error: { code, message },
  }
}

function lineMapper(kind: ResultFileKind, row: BatchRow) {
  return (text: string): string | null => {
    const line = JSON.parse(text) as ResultLine
    const failed = line.status === 'failed'
    if (failed !== (kind === 'err')) return null
    return JSON.stringify(failed ? errorLine(row, line) : outputLine(row, line))
  }
}

/** Maps complete lines of a byte stream, holding back a line cut by a chunk's end. */
function mapLines(map: (line: string) => string | null): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let rest = ''
  const emit = (lines: string[], controller: TransformStreamDefaultController<Uint8Array>) => {
    let out = ''
    for (const line of lines) {
      const mapped = line ? map(line) : null
      if (mapped !== null) out += `${mapped}\n`
    }
    if (out) controller.enqueue(encoder.encode(out))
  }
  return new TransformStream({
    transform(chunk, controller) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n')
      rest = lines.pop()!
      emit(lines, controller)
    },
    flush(controller) {
      emit([rest + decoder.decode()], controller)
    },
  })
}

export async function streamResultFile(env: Env, row: BatchRow, kind: ResultFileKind) {
  const results = await streamResults(env, row, 'jsonl')
  return results.pipeThrough(mapLines(lineMapper(kind, row)))
}
