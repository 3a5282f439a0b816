// A batch's results read page by page: the batch object names the chunks after a seq and where
// their lines are, and the lines are read from R2 here, in the Worker, so a download never keeps
// the batch object busy. JSON lines as stored, or CSV rows of input and output columns.
import { batchCoordinator } from '../../durable-objects/stubs'
import { mapWithConcurrency } from '../../shared/concurrency'
import { csvRow } from '../../shared/csv-cell'
import { type Mapping, readRecord } from '../../shared/ingest/rows'
import type { RawRecord } from '../../shared/ingest/slice'
import { type ChunkLine, chunkLines } from '../../shared/pipeline/chunk-lines'
import { lastSeqOf } from '../../shared/pipeline/chunks'
import type { TaskError } from '../../shared/pipeline/messages'
import type { ResultLine } from '../../shared/pipeline/result-line'
import { storedParams } from '../../shared/tasks/params'
import type { TaskDefinition } from '../../shared/tasks/types'
import { type LayoutOptions, layoutColumns } from './export-layouts'

const CHUNKS_PER_CALL = 8
const READS_IN_FLIGHT = 4

export type ResultPageOptions = {
  format: 'jsonl' | 'csv'
  afterSeq: number
  /** Lines wanted at most; a page may hold fewer and still not be the last. */
  limit: number
  failedOnly?: boolean
  /** CSV only: laid out for an import (export-layouts.ts) instead of the full columns. */
  layout?: LayoutOptions
}

export type ResultPage = {
  header: string | null
  lines: string[]
  /** The seq of each line, for cursors. */
  seqs: number[]
  /** Where the next page starts: the seq of the last task read, whether or not it made a line. */
  nextAfterSeq: number
  /** True when no finished task after the page's last line is left. */
  done: boolean
}

function objectKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape
  return shape && typeof shape === 'object' ? Object.keys(shape) : []
}

/**
 * CSV columns: custom_id; a CSV file's own columns, every one as it was (so Handle, SKU, Vendor or
 * price stay beside the outputs), or else the task's input fields; status; the output fields; the
 * params the batch ran with, defaults included (`param_tone`); cost; violations; error code and
 * message.
 */
export function csvColumns(
  task: TaskDefinition,
  input: { header: string[] | null; mapping: Mapping | null },
  params?: Record<string, unknown>,
) {
  const ownColumns = input.header?.filter((column) => column !== 'custom_id') ?? null
  const inputColumns = ownColumns ?? objectKeys(task.input)
  const output = outputColumns(task, params)
  const paramValues = Object.entries(storedParams(task, params))
  const header = [
    'custom_id',
    ...inputColumns,
    'status',
    ...output.map((column) => column.name),
    ...paramValues.map(([name]) => `param_${name}`),
    'cost_usd',
    'violations',
    'error_code',
    'error_message',
  ]
  const line = (entry: ChunkLine) => {
    const record: RawRecord | undefined = entry.record
    const inputValues = !record?.ok
      ? {}
      : ownColumns
        ? record.value
        : readRecord(record.value, input.mapping).input
    const result: ResultLine = JSON.parse(entry.line)
    const outputValues = (result.output ?? {}) as Record<string, unknown>
    const error: Partial<TaskError> = result.error ?? {}
    return csvRow([
      result.custom_id,
      ...inputColumns.map((key) => inputValues[key]),
      result.status,
      ...output.map((column) => column.value(outputValues)),
      ...paramValues.map(([, value]) => value),
      result.cost_usd,
      (result.violations ?? []).join('; '),
      error.code,
      error.message,
    ])
  }
  return { header: csvRow(header), line }
}

type OutputColumn = { name: string; value: (output: Record<string, unknown>) => unknown }

/**
 * One column per output field; a list the task sizes by its params (listLengths) gets one per item
 * (`output_headlines_1 … output_headlines_15`), and a list of objects one per item and key.
 */
function outputColumns(task: TaskDefinition, params: Record<string, unknown> | undefined): OutputColumn[] {
  const lengths = task.listLengths?.(storedParams(task, params)) ?? {}
  const shape = (task.output as { shape?: Record<string, unknown> }).shape ?? {}
  return Object.keys(shape).flatMap((key): OutputColumn[] => {
    const length = lengths[key]
    if (!length) return [{ name: `output_${key}`, value: (output) => output[key] }]
    const itemKeys = objectKeys((shape[key] as { element?: unknown }).element)
    const item = (output: Record<string, unknown>, i: number) => (output[key] as unknown[] | undefined)?.[i]
    return Array.from({ length }, (_, i): OutputColumn[] =>
      itemKeys.length
        ? itemKeys.map((itemKey) => ({
            name: `output_${key}_${i + 1}_${itemKey}`,
            value: (output) => (item(output, i) as Record<string, unknown> | undefined)?.[itemKey],
          }))
        : [{ name: `output_${key}_${i + 1}`, value: (output) => item(output, i) }],
    ).flat()
  })
}

/** Up to `limit` finished tasks after `afterSeq`, in order. */
export async function readResultPage(
  env: Env,
  batch: { tenantId: string; batchId: string; task: TaskDefinition; params?: Record<string, unknown> },
  options: ResultPageOptions,
): Promise<ResultPage> {
  const coordinator = batchCoordinator(env, batch.tenantId, batch.batchId)
  const csv = options.format === 'csv'
  const entries: ChunkLine[] = []
  let afterSeq = options.afterSeq
  let input: { header: string[] | null; mapping: Mapping | null } = { header: null, mapping: null }
  let done = false
  while (entries.length < options.limit) {
    const views = await coordinator.resultChunks({
      afterSeq,
      limit: CHUNKS_PER_CALL,
      failedOnly: options.failedOnly,
    })
    if (!views.length) {
      done = true
      break
    }
    input = views[0]!.input
    const read = await mapWithConcurrency(views, READS_IN_FLIGHT, (view) =>
      chunkLines(env.FILES, view, { failedOnly: options.failedOnly, records: csv }),
    )
    for (const lines of read) for (const entry of lines) if (entry.seq > options.afterSeq) entries.push(entry)
    afterSeq = lastSeqOf(views.at(-1)!)
  }
  const page = entries.slice(0, options.limit)
  const columns = !csv
    ? null
    : options.layout
      ? layoutColumns(batch.task, input, batch.params, options.layout)
      : csvColumns(batch.task, input, batch.params)
  const rendered = page.flatMap((entry) => {
    const line = columns ? columns.line(entry) : entry.line
    return line === null ? [] : [{ line, seq: entry.seq }]
  })
  return {
    header: columns && options.afterSeq === 0 ? columns.header : null,
    lines: rendered.map((entry) => entry.line),
    seqs: rendered.map((entry) => entry.seq),
    nextAfterSeq: page.at(-1)?.seq ?? options.afterSeq,
    done: done && page.length === entries.length,
  }
}
