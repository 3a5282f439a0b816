// Results laid out for import: a Shopify product CSV (Handle, Title, Body (HTML) or the SEO
// fields) and a Google Ads Editor CSV of responsive search ads, with only succeeded tasks in them.
import { describe, expect, it } from 'vitest'
import { splitCsvFields } from '../../shared/ingest/csv'
import { bodyHtml } from '../../workers/batches/export-layouts'
import { call, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createBatch, waitForStatus } from '../support/batches'

const SHOPIFY_EXPORT = [
  'Handle,Title,Body (HTML),Vendor,Variant SKU',
  'trail-boot,Trail Boot,<p>Waxed leather</p>,Acme,TB-41',
  'trail-boot,,,,TB-42',
  'sun-hat,Sun Hat,<p>Woven straw</p>,Acme,SH-1',
].join('\n')

async function upload(token: string, csv: string) {
  return callJson('/v1/files?purpose=batch&filename=export.csv', 200, {
    method: 'POST',
    token,
    headers: { 'Content-Type': 'text/csv' },
    body: csv,
  })
}

/** The CSV's rows as cells (no cell here holds a line break). */
async function csvRows(token: string, path: string): Promise<string[][]> {
  const res = await call(path, { token })
  expect(res.status).toBe(200)
  const text = await res.text()
  return text
    .split('\r\n')
    .filter(Boolean)
    .map((line) => splitCsvFields(line).fields)
}

describe('the shopify layout', () => {
  it('writes Handle, Title and Body (HTML) per product for an update import, leaving failed rows out', async () => {
    const owner = await signUp()
    // Without skip_blank the variant row is a task, and fails: it must not reach the import.
    const file = await upload(owner.accessToken, SHOPIFY_EXPORT)
    const batch = await createBatch(owner.accessToken, {
      task: 'product_description',
      params: { format: 'html' },
      input_file_id: file.id,
      mapping: { custom_id: 'Handle', features: 'Body (HTML)' },
    })
    const done = await waitForStatus(owner.accessToken, batch.id)
    expect(done.request_counts).toMatchObject({ total: 3, completed: 2, failed: 1 })
    const rows = await csvRows(owner.accessToken, `/v1/batches/${batch.id}/results?layout=shopify`)
    expect(rows[0]).toEqual(['Handle', 'Title', 'Body (HTML)'])
    expect(rows.slice(1).map((row) => row.slice(0, 2))).toEqual([
      ['trail-boot', 'Trail Boot'],
      ['sun-hat', 'Sun Hat'],
    ])
    for (const row of rows.slice(1)) expect(row[2]).toMatch(/^<p>.+<\/p>/)
    expect(rows[1]![2]).toContain('Waxed leather')
  })

  it('writes SEO Title and SEO Description for seo_meta, by custom_id when the file has no Handle', async () => {
    const owner = await signUp()
    const batch = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      items: [{ custom_id: 'sun-hat', input: { title: 'Sun Hat', keywords: 'straw hat' } }],
    })
    await waitForStatus(owner.accessToken, batch.id)
    const path = `/v1/batches/${batch.id}/results?layout=shopify&bom=1`
    const bytes = new Uint8Array(await (await call(path, { token: owner.accessToken })).arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = await csvRows(owner.accessToken, path)
    expect(rows[0]).toEqual(['Handle', 'Title', 'SEO Title', 'SEO Description'])
    expect(rows[1]!.slice(0, 2)).toEqual(['sun-hat', 'Sun Hat'])
    expect(rows[1]![2]).toContain('Sun Hat')
    expect(rows[1]![3]!.length).toBeGreaterThan(20)
  })

  it('turns a plain-text description into paragraphs, escaping what HTML would read', () => {
    expect(bodyHtml('Fits <all> & more.\n\nSecond "part".', 'text')).toBe(
      '<p>Fits &lt;all&gt; &amp; more.</p><p>Second &quot;part&quot;.</p>',
    )
    expect(bodyHtml('<p>Kept</p>', 'html')).toBe('<p>Kept</p>')
  })
})

describe('the google_ads layout', () => {
  it("writes Google Ads Editor's responsive search ad columns from the file's campaign and ad group", async () => {
    const owner = await signUp()
    const file = await upload(
      owner.accessToken,
      [
        'Campaign,Ad Group,Product,Landing page',
        'Spring,Boots,Trail Boot,https://shop.example/boot',
        'Spring,Hats,Sun Hat,https://shop.example/hat',
      ].join('\n'),
    )
    const batch = await createBatch(owner.accessToken, {
      task: 'ad_copy',
      params: { headlines: 15, descriptions: 4 },
      input_file_id: file.id,
      mapping: { title: 'Product', landing_page: 'Landing page' },
    })
    await waitForStatus(owner.accessToken, batch.id)
    const rows = await csvRows(owner.accessToken, `/v1/batches/${batch.id}/results?layout=google_ads`)
    const header = rows[0]!
    expect(header.slice(0, 4)).toEqual(['Campaign', 'Ad group', 'Ad type', 'Headline 1'])
    expect(header).toContain('Headline 15')
    expect(header).not.toContain('Headline 16')
    expect(header.slice(-5)).toEqual([
      'Description 1',
      'Description 2',
      'Description 3',
      'Description 4',
      'Final URL',
    ])
    const boot = rows[1]!
    expect(boot.slice(0, 3)).toEqual(['Spring', 'Boots', 'Responsive search ad'])
    expect(boot.at(-1)).toBe('https://shop.example/boot')
    const headlines = boot.slice(3, 18)
    expect(headlines.every((headline) => headline.length > 0 && headline.length <= 30)).toBe(true)
    expect(new Set(headlines.map((headline) => headline.toLowerCase())).size).toBe(15)
  })

  it('takes the campaign from the query when the file has none, and refuses without one', async () => {
    const owner = await signUp()
    const batch = await createBatch(owner.accessToken, {
      task: 'ad_copy',
      params: { headlines: 3, descriptions: 2 },
      items: [{ custom_id: 'boot', input: { title: 'Trail Boot' } }],
    })
    await waitForStatus(owner.accessToken, batch.id)
    const path = `/v1/batches/${batch.id}/results?layout=google_ads`
    const refused = await callJson(path, 400, { token: owner.accessToken })
    expectErrorEnvelope(refused, 'validation_failed')
    expect(refused.error.message).toContain('?campaign=')
    const rows = await csvRows(owner.accessToken, `${path}&campaign=Spring%20sale`)
    expect(rows[0]).toEqual([
      'Campaign',
      'Ad group',
      'Ad type',
      'Headline 1',
      'Headline 2',
      'Headline 3',
      'Description 1',
      'Description 2',
      'Final URL',
    ])
    expect(rows[1]!.slice(0, 3)).toEqual(['Spring sale', 'Trail Boot', 'Responsive search ad'])
  })
})

describe('layouts refused', () => {
  it('names the tasks a layout is for, and refuses a layout as JSON lines', async () => {
    const owner = await signUp()
    const batch = await createBatch(owner.accessToken, {
      task: 'seo_meta',
      items: [{ custom_id: 'a', input: { title: 'A' } }],
    })
    await waitForStatus(owner.accessToken, batch.id)
    const wrongTask = await callJson(`/v1/batches/${batch.id}/results?layout=google_ads&campaign=X`, 400, {
      token: owner.accessToken,
    })
    expect(wrongTask.error.message).toBe(
      'The google_ads layout is for ad_copy batches; this batch ran seo_meta.',
    )
    const asJsonl = await callJson(`/v1/batches/${batch.id}/results?layout=shopify&format=jsonl`, 400, {
      token: owner.accessToken,
    })
    expectErrorEnvelope(asJsonl, 'validation_failed')
  })
})
