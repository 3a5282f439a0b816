// CSV results never hand a spreadsheet a formula: a text cell starting with =, +, -, @, tab or CR
// gets a leading ' and is quoted (OWASP's CSV injection rule), inputs and outputs alike.
import { describe, expect, it } from 'vitest'
import { csvCell, csvRow } from '../../shared/csv-cell'
import { parseCsvSlice } from '../../shared/ingest/csv'
import { setRoute, useProviderKey } from '../support/ai'
import { call, signUp } from '../support/api'
import { createBatch, waitForStatus } from '../support/batches'
import { script, uniqueKey } from '../support/protocol-servers/script'

const DANGEROUS = ['=', '+', '-', '@', '\t', '\r']

describe('CSV cells', () => {
  it('prefix a text starting with a formula character with a quote mark, and quote it', () => {
    for (const start of DANGEROUS) {
      expect(csvCell(`${start}SUM(A1:A9)`)).toBe(`"'${start}SUM(A1:A9)"`)
    }
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""x"")"`,
    )
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a, "b"')).toBe('"a, ""b"""')
    expect(csvCell('a=b')).toBe('a=b')
    expect(csvCell(-3)).toBe('-3')
    expect(csvCell(null)).toBe('')
    expect(csvRow(['=1', 2, undefined, { k: 1 }])).toBe(`"'=1",2,,"{""k"":1}"`)
  })
})

describe('CSV results of a batch', () => {
  it('escape inputs and outputs that start with a formula character', async () => {
    const owner = await signUp()
    const key = uniqueKey('csv-injection')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'seo_meta', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    const answers = [
      { title: '=1+1', description: '+CMD|/c calc' },
      { title: '-2+3', description: '@SUM(A1:A2)' },
      { title: '@evil', description: '\t=1' },
      { title: '+x', description: '\r=2' },
    ]
    await script(
      'openai',
      key,
      answers.map((answer) => ({ content: JSON.stringify(answer) })),
    )
    const items = [
      { title: '=HYPERLINK("http://evil.example")', content: '\t=cmd', keywords: '-1' },
      { title: '+1', content: '\r=cmd', keywords: '@me' },
      { title: '-1', content: '=2', keywords: '+3' },
      { title: '@SUM(A1)', content: '-safe', keywords: '\t@x' },
    ].map((input, i) => ({ custom_id: `row-${i + 1}`, input }))
    const batch = await createBatch(owner.accessToken, { task: 'seo_meta', items })
    await waitForStatus(owner.accessToken, batch.id)

    const res = await call(`/v1/batches/${batch.id}/results?format=csv`, { token: owner.accessToken })
    const bytes = new Uint8Array(await res.arrayBuffer())
    const { records } = parseCsvSlice(bytes, { header: null, final: true })
    expect(records).toHaveLength(4)
    const columns = ['title', 'content', 'keywords', 'output_title', 'output_description']
    const sent = new Map(items.map((item) => [item.custom_id, item.input]))
    const outputs = new Set(answers.flatMap((answer) => [answer.title, answer.description]))
    for (const record of records) {
      if (!record.ok) throw new Error(record.error)
      const row = record.value as Record<string, string>
      expect(row.status).toBe('succeeded')
      for (const column of columns) {
        const cell = row[column]!
        expect(DANGEROUS.includes(cell[0]!), `${column}: ${JSON.stringify(cell)}`).toBe(false)
        expect(cell.startsWith("'"), `${column}: ${JSON.stringify(cell)}`).toBe(true)
      }
      const input = sent.get(row.custom_id!)!
      expect(row.content).toBe(`'${input.content}`)
      expect(row.keywords).toBe(`'${input.keywords}`)
      expect(outputs.has(row.output_title!.slice(1))).toBe(true)
      expect(outputs.has(row.output_description!.slice(1))).toBe(true)
    }
  })
})
