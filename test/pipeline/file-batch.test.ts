import { describe, expect, it } from 'vitest'
import { call, callJson, signUp } from '../support/api'
import { createBatch, expectEachExactlyOnce, resultLines, waitForStatus } from '../support/batches'

async function upload(token: string, body: string, contentType: string, filename: string) {
  return callJson(`/v1/files?purpose=batch&filename=${filename}`, 200, {
    method: 'POST',
    token,
    headers: { 'Content-Type': contentType },
    body,
  })
}

describe('batches from uploaded files', () => {
  it('runs a CSV with a column mapping, BOM, CRLF and quoted fields', async () => {
    const owner = await signUp()
    const rows = Array.from(
      { length: 1200 },
      (_, i) => `sku-${i + 1},"Jacket ${i + 1}, waterproof","says ""hi""\nline two"`,
    )
    const csv = `\uFEFFcustom_id,Product Name,Notes\r\n${rows.join('\r\n')}\r\n`
    const file = await upload(owner.accessToken, csv, 'text/csv', 'products.csv')
    expect(file.records).toBe(1200)
    const batch = await createBatch(owner.accessToken, {
      task: 'product_description',
      input_file_id: file.id,
      mapping: { title: 'Product Name', features: 'Notes' },
    })
    const done = await waitForStatus(owner.accessToken, batch.id)
    const lines = await resultLines(owner.accessToken, batch.id)
    expectEachExactlyOnce(
      done,
      lines,
      rows.map((_, i) => `sku-${i + 1}`),
    )
    expect(done.request_counts.failed).toBe(0)
    expect(lines.find((line) => line.custom_id === 'sku-7').output.description).toContain(
      'Jacket 7, waterproof',
    )

    const csvResults = await (
      await call(`/v1/batches/${batch.id}/results?format=csv`, { token: owner.accessToken })
    ).text()
    // The file's own columns as they were, then the outputs.
    const [header, first] = csvResults.split('\r\n')
    expect(header).toBe(
      'custom_id,Product Name,Notes,status,output_description,param_tone,param_length,param_format,cost_usd,violations,error_code,error_message',
    )
    expect(first).toMatch(/^sku-1,"Jacket 1, waterproof","says ""hi""\nline two",succeeded,/)
  })

  it('runs a file with a record near the 1 MiB record limit, every task once', async () => {
    const owner = await signUp()
    const long = 'n'.repeat(1024 * 1024 - 200)
    const lines = [
      { custom_id: 'a', title: 'Short one' },
      { custom_id: 'b', title: 'Long notes', notes: long },
      { custom_id: 'c', title: 'After the long one' },
    ].map((line) => JSON.stringify(line))
    const file = await upload(owner.accessToken, lines.join('\n'), 'application/jsonl', 'long.jsonl')
    expect(file.records).toBe(3)
    const batch = await createBatch(owner.accessToken, { task: 'seo_meta', input_file_id: file.id })
    const done = await waitForStatus(owner.accessToken, batch.id)
    expectEachExactlyOnce(done, await resultLines(owner.accessToken, batch.id), ['a', 'b', 'c'])
    expect(done.request_counts.failed).toBe(0)
  })

  it('names rows without a custom_id row-{n}, and refuses that name on any other row', async () => {
    const owner = await signUp()
    const lines = [
      { title: 'Unnamed' },
      { custom_id: 'row-1', title: 'Takes the first row’s name' },
      { custom_id: 'row-3', title: 'Its own name' },
    ].map((line) => JSON.stringify(line))
    const file = await upload(owner.accessToken, lines.join('\n'), 'application/jsonl', 'names.jsonl')
    const batch = await createBatch(owner.accessToken, { task: 'seo_meta', input_file_id: file.id })
    const done = await waitForStatus(owner.accessToken, batch.id)
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1, needs_review: 0 })
    const results = await resultLines(owner.accessToken, batch.id)
    expect(results.map((line) => [line.custom_id, line.status])).toEqual([
      ['row-1', 'succeeded'],
      ['row-2', 'failed'],
      ['row-3', 'succeeded'],
    ])
    expect(results[1]!.error).toMatchObject({
      code: 'invalid_custom_id',
      message: expect.stringContaining('row 1'),
    })
  })

  it('runs a JSONL file, failing unparseable and invalid lines with reasons', async () => {
    const owner = await signUp()
    const good = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ custom_id: `r${i + 1}`, text: `Review ${i + 1}` }),
    )
    const jsonl = [
      ...good.slice(0, 10),
      '{not json',
      JSON.stringify({ custom_id: 'empty', text: '' }),
      ...good.slice(10),
    ].join('\n')
    const file = await upload(owner.accessToken, jsonl, 'application/jsonl', 'reviews.jsonl')
    const batch = await createBatch(owner.accessToken, {
      task: 'classify',
      params: { labels: ['positive', 'negative', 'neutral'] },
      input_file_id: file.id,
    })
    const done = await waitForStatus(owner.accessToken, batch.id)
    expect(done.request_counts).toEqual({ total: 502, completed: 500, failed: 2, needs_review: 0 })
    const errors = await callJson(`/v1/batches/${batch.id}/errors`, 200, { token: owner.accessToken })
    expect(errors.data).toEqual([
      {
        custom_id: 'row-11',
        error: { code: 'unparseable_row', message: expect.stringContaining('not valid JSON') },
      },
      { custom_id: 'empty', error: { code: 'invalid_input', message: expect.stringContaining('text') } },
    ])
    const lines = await resultLines(owner.accessToken, batch.id)
    expect(['positive', 'negative', 'neutral']).toContain(lines[0].output.label)
  })

  it('refuses at creation, and in the estimate, a mapping to a column the file does not have', async () => {
    const owner = await signUp()
    const file = await upload(owner.accessToken, 'name,price\nShoes,10\n', 'text/csv', 'x.csv')
    const request = { task: 'seo_meta', input_file_id: file.id, mapping: { title: 'Title' } }
    for (const path of ['/v1/batches', '/v1/estimate']) {
      const refused = await callJson(path, 400, { method: 'POST', token: owner.accessToken, json: request })
      expect(refused.error).toMatchObject({
        code: 'unknown_columns',
        message: 'The mapping names column the file does not have: Title. Its columns: name, price.',
      })
    }
    expect((await callJson('/v1/batches', 200, { token: owner.accessToken })).data).toEqual([])
  })

  it('answers 404 for another tenant’s input file', async () => {
    const a = await signUp()
    const b = await signUp()
    const file = await upload(a.accessToken, 'title\nShoes\n', 'text/csv', 'x.csv')
    await callJson('/v1/batches', 404, {
      method: 'POST',
      token: b.accessToken,
      json: { task: 'seo_meta', input_file_id: file.id },
    })
  })
})
