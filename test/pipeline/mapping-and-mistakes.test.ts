// A Shopify product export as a marketer uploads it, and the mistakes people make in requests:
// columns map by name whatever their case, custom_id comes from any column, several columns feed
// one input, the results CSV keeps every original column; unknown fields and params are refused
// with the known ones named.
import { describe, expect, it } from 'vitest'
import { splitCsvFields } from '../../shared/ingest/csv'
import { type Body, call, callJson, signUp } from '../support/api'
import { createBatch, expectEachExactlyOnce, resultLines, waitForStatus } from '../support/batches'

const SHOPIFY_EXPORT = [
  'Handle,Title,Body (HTML),Vendor,Tags,Variant SKU,Variant Price',
  'trail-boot,Trail Boot,<p>Waxed <b>leather</b></p>,Acme,"hiking, waterproof",TB-41,89.00',
  'trail-boot,,,,,TB-42,89.00',
  'sun-hat,Sun Hat,<p>Woven straw</p>,Acme,summer,SH-1,19.00',
].join('\n')

async function upload(token: string, csv: string) {
  return callJson('/v1/files?purpose=batch&filename=products_export.csv', 200, {
    method: 'POST',
    token,
    headers: { 'Content-Type': 'text/csv' },
    body: csv,
  })
}

describe('a Shopify product export', () => {
  it('maps Title by name, custom_id from Handle, features from two columns, and keeps every column', async () => {
    const owner = await signUp()
    const file = await upload(owner.accessToken, SHOPIFY_EXPORT)
    const batch = await createBatch(owner.accessToken, {
      task: 'product_description',
      input_file_id: file.id,
      mapping: { custom_id: 'Handle', features: ['Body (HTML)', 'Tags'] },
    })
    expect(batch.mapping).toEqual({ custom_id: 'Handle', features: ['Body (HTML)', 'Tags'], title: 'Title' })
    const done = await waitForStatus(owner.accessToken, batch.id)
    expect(done.request_counts).toMatchObject({ total: 3, completed: 2, failed: 1 })
    const lines = await resultLines(owner.accessToken, batch.id)
    const boot = lines.find((line: Body) => line.custom_id === 'trail-boot' && line.status === 'succeeded')
    expect(boot.output.description).toContain('Trail Boot')
    expect(boot.output.description).toContain('hiking, waterproof')
    // Body (HTML) reached the prompt as text.
    expect(boot.output.description).toContain('Waxed leather')
    expect(boot.output.description).not.toContain('<p>')
    // The variant row repeats its product's Handle: it is refused with the reason, not run twice.
    expect(lines.find((line: Body) => line.status === 'failed')).toMatchObject({
      custom_id: 'trail-boot',
      error: { code: 'duplicate_custom_id' },
    })

    const csv = await (
      await call(`/v1/batches/${batch.id}/results?format=csv&bom=1`, { token: owner.accessToken })
    ).arrayBuffer()
    const bytes = new Uint8Array(csv)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const [header, first] = new TextDecoder().decode(bytes).split('\r\n')
    expect(header).toBe(
      'custom_id,Handle,Title,Body (HTML),Vendor,Tags,Variant SKU,Variant Price,status,output_description,param_tone,param_length,param_format,cost_usd,violations,error_code,error_message',
    )
    expect(first).toMatch(
      /^trail-boot,trail-boot,Trail Boot,<p>Waxed <b>leather<\/b><\/p>,Acme,"hiking, waterproof",TB-41,89\.00,succeeded,/,
    )
  })
})

describe('a Shopify product export, variant rows skipped', () => {
  it('skips rows blank in the named columns: they are not tasks, and the other rows keep their names', async () => {
    const owner = await signUp()
    const file = await upload(owner.accessToken, SHOPIFY_EXPORT)
    const request = {
      task: 'product_description',
      input_file_id: file.id,
      mapping: { custom_id: 'Handle' },
      skip_blank: ['Title'],
    }
    const estimate = await callJson('/v1/estimate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: request,
    })
    expect(estimate).toMatchObject({ sampled_rows: 2, invalid_rows: 0 })
    const batch = await createBatch(owner.accessToken, request)
    expect(batch.skip_blank).toEqual(['Title'])
    const done = await waitForStatus(owner.accessToken, batch.id)
    expect(done.request_counts).toMatchObject({ total: 2, completed: 2, failed: 0 })
    const lines = await resultLines(owner.accessToken, batch.id)
    expect(lines.map((line: Body) => line.custom_id)).toEqual(['trail-boot', 'sun-hat'])
    const csv = await (
      await call(`/v1/batches/${batch.id}/results?format=csv`, { token: owner.accessToken })
    ).text()
    expect(csv).not.toContain('TB-42')
    expect(csv).toContain('SH-1')

    const unknown = await callJson('/v1/batches', 400, {
      method: 'POST',
      token: owner.accessToken,
      json: { ...request, skip_blank: ['Name'] },
    })
    expect(unknown.error.message).toMatch(
      /^skip_blank names column the file does not have: Name\. Its columns: Handle, Title/,
    )
  })
})

describe('skipped rows across many chunks', () => {
  it('runs every kept row exactly once, with the skipped rows between and across chunk bounds', async () => {
    const owner = await signUp()
    const rows = Array.from(
      { length: 600 },
      (_, i) => `sku-${i + 1},${i % 3 === 2 ? '' : `Product ${i + 1}`}`,
    )
    const file = await upload(owner.accessToken, `custom_id,Title\n${rows.join('\n')}\n`)
    const batch = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      input_file_id: file.id,
      skip_blank: ['Title'],
    })
    const done = await waitForStatus(owner.accessToken, batch.id)
    const kept = Array.from({ length: 600 }, (_, i) => i)
      .filter((i) => i % 3 !== 2)
      .map((i) => `sku-${i + 1}`)
    expectEachExactlyOnce(done, await resultLines(owner.accessToken, batch.id), kept)
    expect(done.request_counts).toMatchObject({ total: 400, completed: 400, failed: 0 })
  })
})

describe('spreadsheet-ready results', () => {
  it('gives every item of a list output a column of its own, as many as the params ask for', async () => {
    const owner = await signUp()
    const ads = await createBatch(owner.accessToken, {
      task: 'ad_copy',
      params: { headlines: 3, descriptions: 2 },
      items: [{ custom_id: 'boot', input: { title: 'Trail Boot', keywords: 'hiking boots' } }],
    })
    await waitForStatus(owner.accessToken, ads.id)
    const text = await (
      await call(`/v1/batches/${ads.id}/results?format=csv`, { token: owner.accessToken })
    ).text()
    const [header, row] = text.split('\r\n')
    const columns = splitCsvFields(header!).fields
    expect(columns.filter((column) => column.startsWith('output_'))).toEqual([
      'output_headlines_1',
      'output_headlines_2',
      'output_headlines_3',
      'output_descriptions_1',
      'output_descriptions_2',
    ])
    const cells = splitCsvFields(row!).fields
    const [line] = await resultLines(owner.accessToken, ads.id)
    expect(cells[columns.indexOf('output_headlines_2')]).toBe(line.output.headlines[1])
    expect(cells[columns.indexOf('output_descriptions_2')]).toBe(line.output.descriptions[1])

    const subjects = await createBatch(owner.accessToken, {
      task: 'email_subject',
      params: { variants: 2, preheader: true },
      items: [{ custom_id: 'launch', input: { topic: 'Spring sale' } }],
    })
    await waitForStatus(owner.accessToken, subjects.id)
    const subjectCsv = await (
      await call(`/v1/batches/${subjects.id}/results?format=csv`, { token: owner.accessToken })
    ).text()
    expect(subjectCsv.split('\r\n')[0]).toContain(
      'output_variants_1_subject,output_variants_1_preheader,output_variants_2_subject,output_variants_2_preheader',
    )
  })
})

describe('mistakes refused at the door', () => {
  it('refuses unknown body fields and unknown params, naming the known ones', async () => {
    const owner = await signUp()
    const brand = await callJson('/v1/brand', 400, {
      method: 'PUT',
      token: owner.accessToken,
      json: { voice: 'Warm', avoid: ['cheap'] },
    })
    expect(brand.error.details[0].message).toMatch(/^Unknown field "avoid"; the known ones are .*avoid_words/)

    const typo = await callJson('/v1/batches', 400, {
      method: 'POST',
      token: owner.accessToken,
      json: {
        task: 'product_description',
        params: { lenght: 'short' },
        items: [{ custom_id: 'a', input: { title: 'x' } }],
      },
    })
    expect(typo.error.message).toMatch(/^Unknown param "lenght" for product_description; it takes /)
    expect(typo.error.details).toEqual([
      { path: 'params.lenght', message: expect.stringContaining('Unknown param') },
    ])

    const stray = await callJson('/v1/batches', 400, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', itmes: [], items: [{ custom_id: 'a', input: { title: 'x' } }] },
    })
    expect(stray.error.details[0].message).toContain('Unknown field "itmes"')
    const generate = await callJson('/v1/generate', 400, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input: { title: 'x' }, params: { tone: 'fun' } },
    })
    expect(generate.error.message).toContain('Unknown param "tone" for seo_meta; it takes no params.')
  })

  it('names the missing column and the columns a row has, in the estimate and in the row’s error', async () => {
    const owner = await signUp()
    const file = await upload(owner.accessToken, 'Name,Price\nBoots,10\n')
    const request = { task: 'seo_meta', input_file_id: file.id }
    const estimate = await callJson('/v1/estimate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: request,
    })
    expect(estimate).toMatchObject({ tasks: 1, runnable_tasks: 0, invalid_rows: 1, cost_usd: 0 })
    expect(estimate.invalid_examples[0].message).toBe(
      'title is missing; the row has Name, Price (map one with "mapping": { "title": "<column>" })',
    )
  })
})
