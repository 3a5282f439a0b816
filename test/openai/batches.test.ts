import { describe, expect, it } from 'vitest'
import { callJson } from '../support/api'
import {
  chatLine,
  createOpenAIBatch,
  embeddingLine,
  expectOpenAIError,
  fileLines,
  jsonl,
  OPENAI,
  tenantKey,
  uploadFile,
  waitForBatch,
} from './support'

describe('OpenAI-compatible batches', () => {
  it('runs a chat batch and answers each custom_id exactly once in OpenAI’s output format', async () => {
    const key = await tenantKey()
    const lines = Array.from({ length: 120 }, (_, i) => chatLine(`req-${i + 1}`, `Name product ${i + 1}`))
    const file = await uploadFile(key, jsonl(lines))
    const created = await createOpenAIBatch(key, file.id, { metadata: { job: 'nightly' } })
    expect(created).toMatchObject({
      object: 'batch',
      endpoint: '/v1/chat/completions',
      input_file_id: file.id,
      completion_window: '24h',
      model: 'gpt-4o-mini',
      metadata: { job: 'nightly' },
      output_file_id: null,
      error_file_id: null,
      expires_at: created.created_at + 86_400,
    })
    expect(['validating', 'in_progress']).toContain(created.status)

    const done = await waitForBatch(key, created.id)
    expect(done.request_counts).toEqual({ total: 120, completed: 120, failed: 0 })
    expect(done.output_file_id).toBe(`file-out-${created.id}`)
    expect(done.error_file_id).toBeNull()
    expect(done.completed_at).toEqual(expect.any(Number))
    expect(done.in_progress_at).toEqual(expect.any(Number))

    const output = await fileLines(key, done.output_file_id)
    expect(output.map((line) => line.custom_id).sort()).toEqual(lines.map((line) => line.custom_id).sort())
    expect(new Set(output.map((line) => line.id)).size).toBe(120)
    const first = output.find((line) => line.custom_id === 'req-7')
    expect(first).toMatchObject({
      id: expect.stringMatching(/^batch_req_/),
      error: null,
      response: {
        status_code: 200,
        request_id: expect.stringMatching(/^req_/),
        body: {
          object: 'chat.completion',
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }],
        },
      },
    })
    expect(first.response.body.choices[0].message.content).toContain('Name product 7')
    const usage = first.response.body.usage
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens)
    expect(usage.prompt_tokens).toBeGreaterThan(0)

    const outputFile = await callJson(`${OPENAI}/files/${done.output_file_id}`, 200, { token: key })
    expect(outputFile).toMatchObject({ id: done.output_file_id, object: 'file', purpose: 'batch_output' })
  })

  it('fails bad lines into the error file with reasons, and runs the rest', async () => {
    const key = await tenantKey()
    const file = await uploadFile(
      key,
      jsonl([
        chatLine('good-1', 'Hello'),
        '{not json',
        { ...chatLine('wrong-url', 'Hi'), url: '/v1/embeddings' },
        chatLine('streaming', 'Hi', { stream: true }),
        chatLine('good-1', 'duplicate id'),
        chatLine('good-2', 'Hello again'),
      ]),
    )
    const batch = await createOpenAIBatch(key, file.id)
    const done = await waitForBatch(key, batch.id)
    expect(done.request_counts).toEqual({ total: 6, completed: 2, failed: 4 })
    expect(done.error_file_id).toBe(`file-err-${batch.id}`)

    const output = await fileLines(key, done.output_file_id)
    expect(output.map((line) => line.custom_id).sort()).toEqual(['good-1', 'good-2'])
    const errors = await fileLines(key, done.error_file_id)
    expect(errors).toHaveLength(4)
    const byId = Object.fromEntries(errors.map((line) => [line.custom_id, line]))
    expect(byId['wrong-url']).toMatchObject({
      response: { status_code: 400, body: { error: { code: 'invalid_input' } } },
      error: {
        code: 'invalid_input',
        message: expect.stringContaining("every line's url must be /v1/chat/completions"),
      },
    })
    expect(byId.streaming.error.message).toContain('streaming is not supported')
    expect(byId['row-2'].error.code).toBe('unparseable_row')
    expect(byId['good-1'].error.code).toBe('duplicate_custom_id')
  })

  it('runs an embeddings batch into embedding lists', async () => {
    const key = await tenantKey()
    const file = await uploadFile(
      key,
      jsonl([embeddingLine('one', 'red shoes'), embeddingLine('two', ['a', 'b'])]),
    )
    const batch = await createOpenAIBatch(key, file.id, { endpoint: '/v1/embeddings' })
    expect(batch).toMatchObject({ endpoint: '/v1/embeddings', model: 'text-embedding-3-small' })
    const done = await waitForBatch(key, batch.id)
    const output = await fileLines(key, done.output_file_id)
    const two = output.find((line) => line.custom_id === 'two').response.body
    expect(two).toMatchObject({ object: 'list', model: 'text-embedding-3-small' })
    expect(two.data.map((item: { index: number; object: string }) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ])
    expect(two.data[0].embedding.length).toBeGreaterThan(0)
  })

  it('cancels a running batch; requests that never ran go to the error file without a response', async () => {
    const key = await tenantKey()
    const file = await uploadFile(
      key,
      jsonl(Array.from({ length: 400 }, (_, i) => chatLine(`c-${i}`, `Hi ${i}`))),
    )
    const batch = await createOpenAIBatch(key, file.id)
    const cancelling = await callJson(`${OPENAI}/batches/${batch.id}/cancel`, 200, {
      method: 'POST',
      token: key,
    })
    expect(['cancelling', 'cancelled']).toContain(cancelling.status)
    const cancelled = await waitForBatch(key, batch.id, ['cancelled'])
    expect(cancelled.cancelled_at).toEqual(expect.any(Number))
    const counts = cancelled.request_counts
    expect(counts.completed + counts.failed).toBe(400)
    expect(counts.failed).toBeGreaterThan(0)
    const errors = await fileLines(key, cancelled.error_file_id)
    expect(errors).toHaveLength(counts.failed)
    expect(errors[0]).toMatchObject({ response: null, error: { code: 'batch_cancelled' } })

    const again = await callJson(`${OPENAI}/batches/${batch.id}/cancel`, 409, { method: 'POST', token: key })
    expectOpenAIError(again, 'invalid_request_error', 'batch_finished')
  })

  it('lists only this surface’s batches, newest first, paging with after', async () => {
    const key = await tenantKey()
    const file = await uploadFile(key, jsonl([chatLine('x', 'Hi')]))
    const ids: string[] = []
    // One at a time: the free plan runs two batches at once.
    for (let i = 0; i < 3; i++)
      ids.push((await waitForBatch(key, (await createOpenAIBatch(key, file.id)).id)).id)
    const first = await callJson(`${OPENAI}/batches?limit=2`, 200, { token: key })
    expect(first).toMatchObject({ object: 'list', has_more: true, first_id: ids[2], last_id: ids[1] })
    expect(first.data.map((batch: { id: string }) => batch.id)).toEqual([ids[2], ids[1]])
    const second = await callJson(`${OPENAI}/batches?limit=2&after=${first.last_id}`, 200, { token: key })
    expect(second.data.map((batch: { id: string }) => batch.id)).toEqual([ids[0]])
    expect(second.has_more).toBe(false)
  })

  it('refuses a bad request in OpenAI’s error shape, naming the field', async () => {
    const key = await tenantKey()
    const file = await uploadFile(key, jsonl([chatLine('x', 'Hi')]))
    const window = await callJson(`${OPENAI}/batches`, 400, {
      method: 'POST',
      token: key,
      json: { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '1h' },
    })
    expectOpenAIError(window, 'invalid_request_error')
    expect(window.error.param).toBe('completion_window')
    expect(window.error.message).toContain('"24h"')

    const endpoint = await callJson(`${OPENAI}/batches`, 400, {
      method: 'POST',
      token: key,
      json: { input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' },
    })
    expect(endpoint.error.param).toBe('endpoint')

    const noModel = await uploadFile(
      key,
      jsonl([{ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: {} }]),
    )
    const missing = await callJson(`${OPENAI}/batches`, 400, {
      method: 'POST',
      token: key,
      json: { input_file_id: noModel.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
    })
    expectOpenAIError(missing, 'invalid_request_error', 'missing_model')
  })

  it('answers 404 for another tenant’s batch, input file and output file', async () => {
    const key = await tenantKey()
    const file = await uploadFile(key, jsonl([chatLine('x', 'Hi')]))
    const batch = await createOpenAIBatch(key, file.id)
    const done = await waitForBatch(key, batch.id)
    const other = await tenantKey()
    for (const path of [
      `/batches/${batch.id}`,
      `/files/${file.id}`,
      `/files/${file.id}/content`,
      `/files/${done.output_file_id}`,
      `/files/${done.output_file_id}/content`,
    ]) {
      expectOpenAIError(
        await callJson(`${OPENAI}${path}`, 404, { token: other }),
        'invalid_request_error',
        'not_found',
      )
    }
    const cancel = await callJson(`${OPENAI}/batches/${batch.id}/cancel`, 404, {
      method: 'POST',
      token: other,
    })
    expectOpenAIError(cancel, 'invalid_request_error', 'not_found')
    const create = await callJson(`${OPENAI}/batches`, 404, {
      method: 'POST',
      token: other,
      json: { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' },
    })
    expectOpenAIError(create, 'invalid_request_error', 'not_found')
  })
})
