import { describe, expect, it } from 'vitest'
import { callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createBatch, expectEachExactlyOnce, items, resultLines, waitForStatus } from '../support/batches'

describe('a batch of inline items', () => {
  it('runs every task once and hands back one result per task', async () => {
    const owner = await signUp()
    const created = await createBatch(owner.accessToken, {
      task: 'product_description',
      params: { tone: 'playful' },
      items: items(250),
      metadata: { campaign: 'spring' },
    })
    expect(created).toMatchObject({
      object: 'batch',
      task: 'product_description',
      metadata: { campaign: 'spring' },
    })
    expect(['validating', 'in_progress']).toContain(created.status)
    expect(created.request_counts.total).toBe(250)

    const done = await waitForStatus(owner.accessToken, created.id)
    expect(done.request_counts).toEqual({ total: 250, completed: 250, failed: 0, needs_review: 0 })
    expect(done.usage.input_tokens).toBeGreaterThan(0)
    const lines = await resultLines(owner.accessToken, created.id)
    expectEachExactlyOnce(
      done,
      lines,
      items(250).map((item) => item.custom_id),
    )
    expect(lines[0]).toMatchObject({
      status: 'succeeded',
      provider: 'simulated',
      output: { description: expect.stringContaining('Product') },
    })
  })

  it('fails bad rows with a reason and runs the rest', async () => {
    const owner = await signUp()
    const created = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      items: [
        { custom_id: 'a', input: { title: 'Trail shoes' } },
        { custom_id: 'a', input: { title: 'Duplicate' } },
        { custom_id: 'b', input: { keywords: 'no title' } },
        { custom_id: 'c', input: { title: 'Rain jacket' } },
      ],
    })
    const done = await waitForStatus(owner.accessToken, created.id)
    expect(done.request_counts).toEqual({ total: 4, completed: 2, failed: 2, needs_review: 0 })
    const errors = await callJson(`/v1/batches/${created.id}/errors`, 200, { token: owner.accessToken })
    expect(errors.data).toEqual([
      { custom_id: 'a', error: { code: 'duplicate_custom_id', message: expect.stringContaining('"a"') } },
      { custom_id: 'b', error: { code: 'invalid_input', message: expect.stringContaining('title') } },
    ])
    const lines = await resultLines(owner.accessToken, created.id)
    expect(lines.filter((line) => line.status === 'succeeded').map((line) => line.output.title)).toEqual([
      expect.stringContaining('Trail shoes'),
      expect.stringContaining('Rain jacket'),
    ])
  })

  it('fails a batch with no valid row, with the reason', async () => {
    const owner = await signUp()
    const created = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      items: [{ custom_id: 'x', input: {} }],
    })
    const done = await waitForStatus(owner.accessToken, created.id, ['failed'])
    expect(done.error).toMatchObject({ code: 'no_valid_rows' })
    expect(done.request_counts).toEqual({ total: 1, completed: 0, failed: 1, needs_review: 0 })
  })

  it('refuses an unknown task, bad params and an unknown mapping field before any work', async () => {
    const owner = await signUp()
    const token = owner.accessToken
    expectErrorEnvelope(
      await callJson('/v1/batches', 400, { method: 'POST', token, json: { task: 'nope', items: items(1) } }),
      'unknown_task',
    )
    const badParams = await callJson('/v1/batches', 400, {
      method: 'POST',
      token,
      json: {
        task: 'classify',
        params: { labels: ['only-one'] },
        items: [{ custom_id: '1', input: { text: 'hi' } }],
      },
    })
    expect(badParams.error.details[0].path).toBe('params.labels')
    await callJson('/v1/batches', 400, {
      method: 'POST',
      token,
      json: { task: 'seo_meta', items: items(1), input_file_id: 'file_x' },
    })
    const list = await callJson('/v1/batches', 200, { token })
    expect(list.data).toHaveLength(0)
  })

  it('returns the same batch for a repeated Idempotency-Key and refuses the key for another body', async () => {
    const owner = await signUp()
    const body = { task: 'seo_meta', items: items(3) }
    const first = await createBatch(owner.accessToken, body, { 'Idempotency-Key': 'order-42' })
    const again = await createBatch(owner.accessToken, body, { 'Idempotency-Key': 'order-42' })
    expect(again.id).toBe(first.id)
    const other = await callJson('/v1/batches', 409, {
      method: 'POST',
      token: owner.accessToken,
      json: { ...body, items: items(4) },
      headers: { 'Idempotency-Key': 'order-42' },
    })
    expectErrorEnvelope(other, 'idempotency_key_reused')
    await waitForStatus(owner.accessToken, first.id)
    const list = await callJson('/v1/batches', 200, { token: owner.accessToken })
    expect(list.data).toHaveLength(1)
  })

  it('gives CSV results with input and output columns', async () => {
    const owner = await signUp()
    const created = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      items: [{ custom_id: 'p1', input: { title: 'Wool, "merino" socks' } }],
    })
    await waitForStatus(owner.accessToken, created.id)
    const csv = await (await import('../support/api')).call(`/v1/batches/${created.id}/results?format=csv`, {
      token: owner.accessToken,
    })
    expect(csv.headers.get('Content-Type')).toContain('text/csv')
    const [header, row] = (await csv.text()).split('\r\n')
    expect(header).toBe(
      'custom_id,title,content,keywords,status,output_title,output_description,cost_usd,violations,error_code,error_message',
    )
    expect(row).toMatch(/^p1,"Wool, ""merino"" socks",,,succeeded,"Wool, ""merino"" socks",/)
  })
})
