// What a batch will cost before it runs: prompt tokens measured on its rows (every inline row,
// or a sample from the start of the file scaled to its record count), expected output tokens
// from the task, priced on the route's first model.

import type { RunSettings } from '../../shared/pipeline/messages'
import { answerSchema, buildCall } from '../../shared/tasks/build-call'
import { type ModelCall, messageText } from '../../shared/tasks/model-call'
import { readRowInput } from '../../shared/tasks/row-input'
import type { TaskDefinition } from '../../shared/tasks/types'
import type { RefusedRow, SampleRow } from '../batches/sample-rows'
import { costOf, priceOf } from './prices'
import { estimateTokens } from './provider'

/** Invalid rows an estimate names, of those it found. */
const MAX_INVALID_EXAMPLES = 5

function promptTokens(call: ModelCall): number {
  if (call.kind === 'chat')
    return estimateTokens(call.messages.map(messageText).join('\n') + JSON.stringify(call.json?.schema ?? ''))
  if (call.kind === 'embed') return estimateTokens(call.texts.join('\n'))
  if (call.kind === 'classify_text') return estimateTokens(call.text)
  return 0
}

export function estimateBatch(options: {
  task: TaskDefinition
  params: unknown
  settings: RunSettings
  rows: SampleRow[]
  /** Sampled records that could not be read at all. */
  refused: RefusedRow[]
  /** Rows in the whole batch (more than `rows` when they are a sample). */
  total: number
}) {
  const { task, params, settings, rows, refused, total } = options
  const schema = answerSchema(task, params)
  let measured = 0
  let valid = 0
  const invalid: { custom_id: string | null; message: string }[] = refused.map((row) => ({
    custom_id: null,
    message: `Row ${row.row}: ${row.message}`,
  }))
  for (const row of rows) {
    const read = readRowInput(task, settings.template, row.input)
    if (!read.ok) {
      invalid.push({ custom_id: row.customId, message: read.message })
      continue
    }
    const input = read.input as Record<string, unknown>
    valid++
    measured += promptTokens(
      buildCall(task, input, params, {
        brand: settings.brand,
        template: settings.template,
        row: row.input,
        schema,
      }),
    )
  }
  // Only rows that can run are priced: the sample's share of valid rows, scaled to the batch.
  const sampled = rows.length + refused.length
  const runnable = sampled ? Math.round((total * valid) / sampled) : 0
  const inputTokens = valid ? Math.round((measured / valid) * runnable) : 0
  const outputTokens = task.expectedOutputTokens(params) * runnable
  const target = settings.route[0]!
  return {
    tasks: total,
    runnable_tasks: runnable,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cost_usd: costOf(target.model, { input_tokens: inputTokens, output_tokens: outputTokens }),
    provider: target.provider,
    model: target.model,
    basis: rows.length + refused.length >= total ? ('all_rows' as const) : ('sampled_rows' as const),
    priced: priceOf(target.model) !== null,
    sampled_rows: rows.length + refused.length,
    invalid_rows: invalid.length,
    invalid_examples: invalid.slice(0, MAX_INVALID_EXAMPLES),
  }
}
