// Files as marketers' spreadsheets save them: Excel's "CSV" on Windows (Windows-1252, and
// semicolons in European locales), "CSV UTF-8" (with a BOM), "Unicode Text" (UTF-16 with tabs),
// pipes, and XLSX workbooks. Each upload reports what it found, and runs to results whose text is
// what the spreadsheet showed.
import { utils, write } from '@e965/xlsx'
import { describe, expect, it } from 'vitest'
import { type Body, call, callJson, expectErrorEnvelope, signUp } from '../support/api'
import { createBatch, resultLines, waitForStatus } from '../support/batches'

const PRODUCTS = [
  ['Handle', 'Title', 'Vendor', 'Price'],
  ['cafe-creme', 'Café Crème Brûlée', 'Müller & Söhne', '€ 12,50'],
  ['musli', 'Bio-Müsli "Früh"', 'Grün; Gut', '€ 4,99'],
  ['tee', 'Tee für Zwei', 'Ça va', '€ 7,00'],
]

/** Windows-1252 bytes of `text` (the characters used here are all in it). */
function windows1252(text: string): Uint8Array {
  const special: Record<string, number> = { '€': 0x80 }
  return Uint8Array.from(Array.from(text), (ch) => special[ch] ?? ch.charCodeAt(0))
}

function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2)
  bytes.set([0xff, 0xfe])
  for (let i = 0; i < text.length; i++) {
    bytes[2 + i * 2] = text.charCodeAt(i) & 0xff
    bytes[3 + i * 2] = text.charCodeAt(i) >> 8
  }
  return bytes
}

/** The rows as a spreadsheet program writes them with `delimiter`, quoting what needs it. */
function csvText(rows: string[][], delimiter: string, lineEnd = '\r\n'): string {
  const field = (value: string) =>
    value.includes(delimiter) || value.includes('"') ? `"${value.replaceAll('"', '""')}"` : value
  return rows.map((row) => row.map(field).join(delimiter)).join(lineEnd) + lineEnd
}

/** A response's JSON, untyped as test bodies are. */
const json = (res: Response): Promise<Body> => res.json()

async function upload(token: string, body: Uint8Array | string, query: string, contentType = 'text/csv') {
  return call(`/v1/files?purpose=batch&${query}`, {
    method: 'POST',
    token,
    headers: { 'Content-Type': contentType },
    body,
  })
}

/** Runs seo_meta on the file with Title mapped, and returns its lines by custom_id. */
async function run(token: string, fileId: string) {
  const batch = await createBatch(token, {
    task: 'seo_meta',
    input_file_id: fileId,
    mapping: { title: 'Title' },
  })
  const done = await waitForStatus(token, batch.id)
  const lines = await resultLines(token, batch.id)
  return { done, lines, byRow: new Map(lines.map((line: Body) => [line.custom_id, line])) }
}

describe('spreadsheet files in', () => {
  it('reads a Windows-1252 CSV with semicolons, as Excel saves it in Europe', async () => {
    const owner = await signUp()
    const res = await upload(owner.accessToken, windows1252(csvText(PRODUCTS, ';')), 'filename=export.csv')
    expect(res.status).toBe(200)
    const file = await json(res)
    expect(file).toMatchObject({ records: 3, encoding: 'windows-1252', bom: false, delimiter: ';' })

    const { done, lines } = await run(owner.accessToken, file.id)
    expect(done.request_counts).toMatchObject({ completed: 3, failed: 0 })
    expect(JSON.stringify(lines)).toContain('Café Crème Brûlée')
    expect(JSON.stringify(lines)).toContain('Bio-Müsli \\"Früh\\"')
    const csv = await (
      await call(`/v1/batches/${done.id}/results?format=csv`, { token: owner.accessToken })
    ).text()
    expect(csv).toContain('Tee für Zwei')
  })

  it('previews and estimates a Windows-1252 file instead of failing', async () => {
    const owner = await signUp()
    const file = await json(
      await upload(owner.accessToken, windows1252(csvText(PRODUCTS, ';')), 'filename=export.csv'),
    )
    const request = { task: 'seo_meta', input_file_id: file.id, mapping: { title: 'Title' } }
    const preview = await callJson('/v1/batches/preview', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { ...request, rows: 2 },
    })
    expect(preview.rows.map((row: Body) => row.status)).toEqual(['succeeded', 'succeeded'])
    expect(JSON.stringify(preview.rows[0].output)).toContain('Café Crème')
    const estimate = await callJson('/v1/estimate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: request,
    })
    expect(estimate).toMatchObject({ tasks: 3, runnable_tasks: 3, sampled_rows: 3, invalid_rows: 0 })
  })

  it('reads UTF-16 with tabs ("Unicode Text") and UTF-8 with a BOM ("CSV UTF-8")', async () => {
    const owner = await signUp()
    const unicode = await json(
      await upload(owner.accessToken, utf16le(csvText(PRODUCTS, '\t')), 'filename=export.txt.csv'),
    )
    expect(unicode).toMatchObject({ records: 3, encoding: 'utf-16le', bom: true, delimiter: '\t' })
    const utf8 = await json(
      await upload(owner.accessToken, `\uFEFF${csvText(PRODUCTS, ',')}`, 'filename=export-utf8.csv'),
    )
    expect(utf8).toMatchObject({ records: 3, encoding: 'utf-8', bom: true, delimiter: ',' })
    for (const file of [unicode, utf8]) {
      const { done, byRow } = await run(owner.accessToken, file.id)
      expect(done.request_counts).toMatchObject({ completed: 3, failed: 0 })
      expect(JSON.stringify(byRow.get('row-3'))).toContain('Tee für Zwei')
    }
  })

  it('guesses pipes, and takes the delimiter and encoding given with the upload', async () => {
    const owner = await signUp()
    const piped = await json(await upload(owner.accessToken, csvText(PRODUCTS, '|', '\n'), 'filename=p.csv'))
    expect(piped).toMatchObject({ delimiter: '|', encoding: 'utf-8' })
    // One column a line, which no guess can split: the upload says it is semicolons.
    const single = 'Title\nCafé\nMüsli\n'
    const given = await json(
      await upload(
        owner.accessToken,
        windows1252(single),
        'filename=s.csv&delimiter=semicolon&encoding=windows-1252',
      ),
    )
    expect(given).toMatchObject({ records: 2, delimiter: ';', encoding: 'windows-1252' })
    const { byRow } = await run(owner.accessToken, given.id)
    expect(JSON.stringify(byRow.get('row-1'))).toContain('Café')
    const refused = await upload(owner.accessToken, single, 'filename=s.csv&delimiter=colon')
    expect(refused.status).toBe(400)
  })

  it('reads the first sheet of an XLSX workbook, or the one named, as Excel shows its cells', async () => {
    const owner = await signUp()
    const workbook = utils.book_new()
    utils.book_append_sheet(workbook, utils.aoa_to_sheet([['Notes'], ['not this one']]), 'Read me')
    utils.book_append_sheet(workbook, utils.aoa_to_sheet(PRODUCTS), 'Products')
    const bytes = new Uint8Array(write(workbook, { type: 'array', bookType: 'xlsx' }))
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

    const first = await json(await upload(owner.accessToken, bytes, 'filename=catalog.xlsx', xlsx))
    expect(first).toMatchObject({ records: 1, sheet: 'Read me', format: 'csv' })
    const named = await json(
      await upload(
        owner.accessToken,
        bytes,
        'filename=catalog.xlsx&sheet=Products',
        'application/octet-stream',
      ),
    )
    expect(named).toMatchObject({ records: 3, sheet: 'Products', format: 'csv', delimiter: ',' })
    const { done, byRow } = await run(owner.accessToken, named.id)
    expect(done.request_counts).toMatchObject({ completed: 3, failed: 0 })
    expect(JSON.stringify(byRow.get('row-2'))).toContain('Bio-Müsli \\"Früh\\"')

    const missing = await upload(owner.accessToken, bytes, 'filename=catalog.xlsx&sheet=Prices', xlsx)
    expect(missing.status).toBe(400)
    expect((await json(missing)).error.message).toBe(
      'The workbook has no sheet "Prices". Its sheets: Read me, Products.',
    )
    const broken = await upload(owner.accessToken, new Uint8Array([1, 2, 3]), 'filename=broken.xlsx', xlsx)
    expectErrorEnvelope(await json(broken), 'validation_failed')
  })

  it('answers a preview of rows that cannot be read with 400 naming why, never 500', async () => {
    const owner = await signUp()
    const header = 'Title,Vendor\n'
    const file = await json(await upload(owner.accessToken, `${header}"unterminated,x\n`, 'filename=bad.csv'))
    const res = await call('/v1/batches/preview', {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input_file_id: file.id, mapping: { title: 'Title' }, rows: 1 },
    })
    expect(res.status).toBe(400)
    const body = await json(res)
    expectErrorEnvelope(body, 'no_valid_rows')
    expect(body.error.message).toContain('row 1')
  })
})
