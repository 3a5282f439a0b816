// Runs one task: the row's input → model call → routed provider call → the task's output,
// checked against its schema and constraints. An output that breaks a constraint is regenerated
// with the reason, up to REGENERATIONS times, then kept as `needs_review` with the violations
// named; nothing is truncated. Usage and cost add up over every call the task made.

import { sha256Hex } from '../../shared/crypto'
import type { TaskErrorCode } from '../../shared/error-codes'
import { fnv1a } from '../../shared/hash'
import type { TaskError, TaskResult } from '../../shared/pipeline/messages'
import { buildCall, withFeedback } from '../../shared/tasks/build-call'
import type { ModelCall, ProviderOutput } from '../../shared/tasks/model-call'
import { readRowInput } from '../../shared/tasks/row-input'
import { costOf } from '../ai/prices'
import { ProviderError } from '../ai/provider'
import { routeCall } from '../ai/router'
import { avoidedWordsIn, readAnswer } from './answers'
import { MissingImage, type TaskRun } from './task-run'

export const REGENERATIONS = 2

export type TaskOutcome =
  | TaskResult
  | { seq: number; status: 'retry'; error: TaskError; retryAfterMs?: number }

export type TaskItem = { seq: number; customId: string; input: Record<string, unknown> }

/** A row ready to run: its model call, and its cache key when the batch uses the cache. */
export type PreparedTask = {
  seq: number
  seed: number
  input: unknown
  call: ModelCall
  cacheKey: string | null
}

function failed(seq: number, code: TaskErrorCode, message: string): TaskResult {
  return { seq, status: 'failed', error: { code, message } }
}

/**
 * SHA-256 of the task, route and everything the model is sent. The run's own answer schema is in
 * `run.cacheScope` (stringified once per run, not once per row); a schema that came with the row
 * (pass-through requests) is part of the row's text.
 */
async function cacheKeyOf(run: TaskRun, call: ModelCall): Promise<string> {
  const sent =
    call.kind === 'chat'
      ? [call.messages, call.maxTokens, call.temperature, call.json?.schema === run.schema ? null : call.json]
      : call
  const text = `${run.cacheScope}\n${JSON.stringify(sent)}`
  return sha256Hex(text)
}

export async function prepareTask(item: TaskItem, run: TaskRun): Promise<PreparedTask | TaskResult> {
  const { task, settings } = run
  // Rows of a batch were read when it ingested them; realtime rows are read here.
  const read = run.inputsValidated
    ? { ok: true as const, input: item.input }
    : readRowInput(task, settings.template, item.input)
  if (!read.ok) return failed(item.seq, 'invalid_input', read.message)
  const input = read.input
  const built = buildCall(task, input, run.params, {
    brand: settings.brand,
    template: settings.template,
    row: item.input,
    schema: run.schema,
  })
  let call: ModelCall
  try {
    call = await run.resolveImages(built)
  } catch (error) {
    if (error instanceof MissingImage) return failed(item.seq, 'invalid_input', error.message)
    throw error
  }
  return {
    seq: item.seq,
    seed: fnv1a(item.customId),
    input,
    call,
    cacheKey: settings.cache ? await cacheKeyOf(run, call) : null,
  }
}

function answerText(answer: ProviderOutput): string {
  return answer.kind === 'text' ? answer.text : JSON.stringify(answer)
}

export async function runTask(prepared: PreparedTask, run: TaskRun): Promise<TaskOutcome> {
  const { task, params } = run
  const usage = { input_tokens: 0, output_tokens: 0 }
  let cost = 0
  let call = prepared.call
  try {
    for (let generation = 0; ; generation++) {
      const result = await routeCall({
        call,
        targets: run.settings.route,
        providers: run.providers,
        seed: prepared.seed + generation,
        delivery: run.delivery,
        simulate: () => task.simulate(prepared.input, params, prepared.seed + generation),
        policy: { timeoutMs: run.timeoutMs },
      })
      usage.input_tokens += result.usage.input_tokens
      usage.output_tokens += result.usage.output_tokens
      cost += costOf(result.model, result.usage)
      const spent = { usage: { ...usage }, cost_usd: cost }
      const answer = readAnswer(task, result.output, prepared.input, params)
      const problems = [
        ...answer.problems,
        // Brand rules apply to the catalogue's own prompts, not to requests passed through as they are.
        ...(answer.fits && !task.call
          ? avoidedWordsIn(answer.output, run.settings.brand?.avoid_words ?? [])
          : []),
      ]
      const generated = {
        seq: prepared.seq,
        provider: result.provider,
        model: result.model,
        cached: false,
        ...spent,
      }
      if (answer.fits && problems.length === 0)
        return { ...generated, status: 'succeeded', output: answer.output }
      if (generation < REGENERATIONS) {
        call = withFeedback(call, answerText(result.output), problems)
        continue
      }
      if (!answer.fits) {
        const message = `No usable answer after ${generation + 1} tries: ${problems[0]}`
        return { seq: prepared.seq, status: 'failed', error: { code: 'invalid_output', message }, ...spent }
      }
      return { ...generated, status: 'needs_review', output: answer.output, violations: problems }
    }
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error
    const failure = { code: error.code, message: error.message }
    return error.retryable
      ? { seq: prepared.seq, status: 'retry', error: failure, retryAfterMs: error.retryAfterMs }
      : { seq: prepared.seq, status: 'failed', error: failure }
  }
}
