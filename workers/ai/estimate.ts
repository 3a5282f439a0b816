// What a batch will cost before it runs: prompt tokens measured on its rows (every inline row,
// or a sample from the start of the file scaled to its record count), expected output tokens
// from the task, priced on the route's first model.

import type { RunSettings } from '../../shared/pipeline/messages'
import { answerSchema, buildCall } from '../../shared/tasks/build-call'
import { type ModelCall, messageText } from '../../shared/tasks/model-call'
import type { TaskDefinition } from '../../shared/tasks/types'
import type { SampleRow } from '../batches/sample-rows'
import { costOf, priceOf } from './prices'
import { estimateTokens } from './provider'

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
  /** Rows in the whole batch (more than `rows` when they are a sample). */
  total: number
}) {
  const { task, params, settings, rows, total } = options
  const schema = answerSchema(task, params)
  let measured = 0
  let valid = 0
  for (const row of rows) {
    const parsed = settings.template ? { success: true, data: row.input } : task.input.safeParse(row.input)
    if (!parsed.success) continue
    const input = parsed.data
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
  const inputTokens = valid ? Math.round((measured / valid) * total) : 0
  const outputTokens = task.expectedOutputTokens(params) * total
  const target = settings.route[0]!
  return {
    tasks: total,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cost_usd: costOf(target.model, { input_tokens: inputTokens, output_tokens: outputTokens }),
    provider: target.provider,
    model: target.model,
    basis: rows.length >= total ? ('all_rows' as const) : ('sampled_rows' as const),
    priced: priceOf(target.model) !== null,
  }
}
