import { describe, expect, it } from 'vitest'
import { parseSlice, type RawRecord } from '../../shared/ingest/slice'

const encode = (text: string) => new TextEncoder().encode(text)
const byteLength = (text: string) => encode(text).length
const ok = (value: Record<string, unknown>): RawRecord => ({ ok: true, value })
const failed = (error: string): RawRecord => ({ ok: false, error })

const parseWhole = (text: string) => parseSlice('csv', encode(text), { header: null, final: true })

/** Reads the file as the batch Durable Object does: from each offset, enlarging the slice while no record fits. */
function parseInSlices(file: Uint8Array, sliceEnds: (offset: number, attempt: number) => number) {
  const records: RawRecord[] = []
  let header: string[] | null = null
  let offset = 0
  for (let attempt = 1; ; attempt++) {
    const end = Math.min(sliceEnds(offset, attempt), file.length)
    const final = end === file.length
    const result = parseSlice('csv', file.subarray(offset, end), { header, final })
    records.push(...result.records)
    if (result.header) {
      expect(header).toBeNull()
      header = result.header
    }
    if (final) return { records, header }
    if (result.consumedBytes > 0) {
      offset += result.consumedBytes
      attempt = 0
    }
  }
}

const representative = [
  '\uFEFFid, name ,note\r\n',
  '1,Ada,plain\r\n',
  '\r\n',
  '2,"Lovelace, Ada","said ""hi"""\n',
  '3,Zoë,"two\nlines"\r\n',
  '   \n',
  '4,日本,"crlf\r\ninside"\n',
  '5,🎉 party,\n',
  '6,"",""\n',
  '7,12" screen,unquoted quote\n',
  '8,too,many,fields\n',
  '9,too few\n',
  '\n',
  '10,"quoted ""x"", with, commas","é\r\n\r\nè"\r\n',
  '11,café,"🎉,🎉"\n',
  '12,last,no newline',
].join('')

const representativeRecords = [
  ok({ id: '1', name: 'Ada', note: 'plain' }),
  ok({ id: '2', name: 'Lovelace, Ada', note: 'said "hi"' }),
  ok({ id: '3', name: 'Zoë', note: 'two\nlines' }),
  ok({ id: '4', name: '日本', note: 'crlf\r\ninside' }),
  ok({ id: '5', name: '🎉 party', note: '' }),
  ok({ id: '6', name: '', note: '' }),
  ok({ id: '7', name: '12" screen', note: 'unquoted quote' }),
  failed('Row has 4 fields; the header has 3.'),
  failed('Row has 2 fields; the header has 3.'),
  ok({ id: '10', name: 'quoted "x", with, commas', note: 'é\r\n\r\nè' }),
  ok({ id: '11', name: 'café', note: '🎉,🎉' }),
  ok({ id: '12', name: 'last', note: 'no newline' }),
]

describe('parseSlice for CSV', () => {
  it('reads a whole file: BOM, trimmed header, CRLF and LF, quotes, blank lines, no final newline', () => {
    const result = parseWhole(representative)
    expect(result.header).toEqual(['id', 'name', 'note'])
    expect(result.records).toEqual(representativeRecords)
    expect(result.consumedBytes).toBe(byteLength(representative))
  })

  it('keys rows by a header read earlier and does not take the first row for a header', () => {
    const result = parseSlice('csv', encode('1,2\n3,4\n'), { header: ['a', 'b'], final: true })
    expect(result).toMatchObject({
      records: [ok({ a: '1', b: '2' }), ok({ a: '3', b: '4' })],
      consumedBytes: 8,
    })
  })

  it('tells where each row ends and where rows start, past the BOM, the header and blank lines', () => {
    const text = '\uFEFFa,b\r\n\r\n1,"x\ny"\n\n3,4'
    const result = parseSlice('csv', encode(text), { header: null, final: true })
    const bytes = encode(text)
    const cut = (from: number, to?: number) =>
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(from, to))
    expect(cut(0, result.rowsStart)).toBe('\uFEFFa,b\r\n')
    expect(result.ends).toHaveLength(2)
    expect(cut(result.rowsStart, result.ends[0])).toBe('\r\n1,"x\ny"\n')
    expect(cut(result.ends[0]!, result.ends[1])).toBe('\n3,4')
    // A range cut at those offsets parses, with the header, into the same rows.
    const again = parseSlice('csv', bytes.subarray(result.rowsStart, result.ends[0]), {
      header: ['a', 'b'],
      final: true,
    })
    expect(again.records).toEqual([result.records[0]])
  })

  it('reads a header-only file as no records', () => {
    expect(parseWhole('a,b\r\n')).toMatchObject({ records: [], consumedBytes: 5, header: ['a', 'b'] })
  })

  it('stops before a row cut off by the end of the slice, counting bytes of multi-byte characters', () => {
    const complete = 'name,city\nZoë,Zürich\n日本,東京 🎉\n'
    const result = parseSlice('csv', encode(`${complete}Ren,Ky`), { header: null, final: false })
    expect(result.records).toEqual([
      ok({ name: 'Zoë', city: 'Zürich' }),
      ok({ name: '日本', city: '東京 🎉' }),
    ])
    expect(result.consumedBytes).toBe(byteLength(complete))
  })

  it('does not end a row at a line break inside quotes when the slice ends before the closing quote', () => {
    const result = parseSlice('csv', encode('1,"open\n2,3\n'), { header: ['a', 'b'], final: false })
    expect(result).toMatchObject({ records: [], consumedBytes: 0 })
  })

  it('returns nothing consumed when the slice ends inside a multi-byte character', () => {
    const bytes = encode('1,🎉\n').subarray(0, 4)
    expect(parseSlice('csv', bytes, { header: ['a', 'b'], final: false })).toMatchObject({
      records: [],
      consumedBytes: 0,
    })
  })

  it('consumes the header even when no row fits after it', () => {
    const result = parseSlice('csv', encode('\uFEFFa,b\n1,'), { header: null, final: false })
    expect(result).toMatchObject({
      records: [],
      consumedBytes: byteLength('\uFEFFa,b\n'),
      header: ['a', 'b'],
    })
  })

  it('makes an unterminated quote at the end of the file an error record', () => {
    const result = parseWhole('a,b\n1,2\n3,"never closed\n4,5\n')
    expect(result.records).toEqual([
      ok({ a: '1', b: '2' }),
      failed('Row ends inside a quoted field: a closing quote (") is missing.'),
    ])
  })

  it('makes a row that is not valid UTF-8 an error record', () => {
    const bytes = new Uint8Array([...encode('a\n'), 0xff, 0x0a, ...encode('ok\n')])
    const result = parseSlice('csv', bytes, { header: null, final: true })
    expect(result.records).toEqual([
      failed(
        'Row is not valid UTF-8; upload the file again with ?encoding=windows-1252 (or the encoding it was saved in).',
      ),
      ok({ a: 'ok' }),
    ])
  })

  it('rejects a header with an empty or repeated name, and a file with no header', () => {
    expect(() => parseWhole('id,,note\n1,2,3\n')).toThrow('Column 2 of the CSV header has no name.')
    expect(() => parseWhole('id,name, id\n')).toThrow('The CSV header names "id" twice (columns 1 and 3).')
    expect(() => parseWhole('\uFEFF\r\n  \n')).toThrow(/CSV file is empty/)
    expect(() => parseWhole('"id,name\n1,2\n')).toThrow(/header row ends inside a quoted field/)
  })

  describe('reads the same records however the file is sliced', () => {
    const files = {
      representative,
      'ending in an open quote': 'a,b\r\n1,"x"\r\n2,"y\r\n3,z\r\n',
      'ending in blank lines': '\n\na,b\n1,2\n\r\n\n',
    }
    for (const [name, text] of Object.entries(files)) {
      const file = encode(text)
      const whole = parseWhole(text)

      it(`${name}: split in two at every byte`, () => {
        for (let split = 0; split <= file.length; split++) {
          const sliced = parseInSlices(file, (offset, attempt) =>
            attempt === 1 && offset === 0 ? split : file.length,
          )
          expect(sliced, `split at byte ${split}`).toEqual({ records: whole.records, header: whole.header })
        }
      })

      it(`${name}: in slices of every size`, () => {
        for (let size = 1; size <= file.length; size++) {
          const sliced = parseInSlices(file, (offset, attempt) => offset + size * attempt)
          expect(sliced, `slices of ${size} bytes`).toEqual({ records: whole.records, header: whole.header })
        }
      })
    }
  })
})
