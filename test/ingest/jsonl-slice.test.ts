import { describe, expect, it } from 'vitest'
import { parseSlice, type RawRecord } from '../../shared/ingest/slice'

const encode = (text: string) => new TextEncoder().encode(text)
const byteLength = (text: string) => encode(text).length
const ok = (value: Record<string, unknown>): RawRecord => ({ ok: true, value })
const failed = (error: string): RawRecord => ({ ok: false, error })

const parseWhole = (text: string) => parseSlice('jsonl', encode(text), { header: null, final: true })

/** Reads the file as the batch Durable Object does: from each offset, enlarging the slice while no record fits. */
function parseInSlices(
  file: Uint8Array,
  sliceEnds: (offset: number, attempt: number) => number,
): RawRecord[] {
  const records: RawRecord[] = []
  let offset = 0
  for (let attempt = 1; ; attempt++) {
    const end = Math.min(sliceEnds(offset, attempt), file.length)
    const final = end === file.length
    const result = parseSlice('jsonl', file.subarray(offset, end), { header: null, final })
    expect(result.header).toBeUndefined()
    records.push(...result.records)
    if (final) return records
    if (result.consumedBytes > 0) {
      offset += result.consumedBytes
      attempt = 0
    }
  }
}

const representative = [
  '\uFEFF{"id":1,"name":"Ada"}\r\n',
  '{"id":2,"name":"Zoë","tags":["a","b"]}\n',
  '\n',
  '  \r\n',
  '{"id":3,"note":"line\\nbreak, \\"quoted\\""}\n',
  '{"id":4,"name":"日本 🎉","nested":{"deep":[1,{"x":null}]}}\r\n',
  '{"id":5,\n',
  '[1,2]\n',
  '"just a string"\n',
  '42\n',
  'null\n',
  'true\n',
  '\uFEFF{"id":6,"from":"a concatenated file"}\n',
  '  {"id":7}  \n',
  '{"id":8,"last":"no newline"}',
].join('')

describe('parseSlice for JSONL', () => {
  it('reads one object per line: BOM, CRLF, blank lines, no final newline, non-objects as errors', () => {
    const result = parseWhole(representative)
    expect(result.consumedBytes).toBe(byteLength(representative))
    expect(result.records).toHaveLength(13)
    expect(result.records.slice(0, 4)).toEqual([
      ok({ id: 1, name: 'Ada' }),
      ok({ id: 2, name: 'Zoë', tags: ['a', 'b'] }),
      ok({ id: 3, note: 'line\nbreak, "quoted"' }),
      ok({ id: 4, name: '日本 🎉', nested: { deep: [1, { x: null }] } }),
    ])
    expect(result.records[4]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Line is not valid JSON: ./),
    })
    expect(result.records.slice(5)).toEqual([
      failed('Line is a JSON array, not an object'),
      failed('Line is a JSON string, not an object'),
      failed('Line is a JSON number, not an object'),
      failed('Line is JSON null, not an object'),
      failed('Line is a JSON boolean, not an object'),
      ok({ id: 6, from: 'a concatenated file' }),
      ok({ id: 7 }),
      ok({ id: 8, last: 'no newline' }),
    ])
  })

  it('stops before a line cut off by the end of the slice, counting bytes of multi-byte characters', () => {
    const complete = '{"name":"Zoë"}\n\n{"name":"日本 🎉"}\r\n'
    const result = parseSlice('jsonl', encode(`${complete}{"name":"cut`), { header: null, final: false })
    expect(result).toMatchObject({
      records: [ok({ name: 'Zoë' }), ok({ name: '日本 🎉' })],
      consumedBytes: byteLength(complete),
    })
  })

  it('returns nothing consumed when not even one line fits, even inside a multi-byte character', () => {
    const bytes = encode('{"name":"🎉"}\n').subarray(0, 11)
    expect(parseSlice('jsonl', bytes, { header: null, final: false })).toMatchObject({
      records: [],
      consumedBytes: 0,
    })
  })

  it('parses a final line without a newline only when told the slice is the last', () => {
    const bytes = encode('{"a":1}')
    expect(parseSlice('jsonl', bytes, { header: null, final: false })).toMatchObject({
      records: [],
      consumedBytes: 0,
    })
    expect(parseSlice('jsonl', bytes, { header: null, final: true })).toMatchObject({
      records: [ok({ a: 1 })],
      consumedBytes: 7,
    })
  })

  it('makes a line that is not valid UTF-8 an error record', () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0x7d, 0x0a])
    expect(parseSlice('jsonl', bytes, { header: null, final: true }).records).toEqual([
      failed('Line is not valid UTF-8'),
    ])
  })

  it('reads an empty file as no records', () => {
    expect(parseWhole('')).toMatchObject({ records: [], consumedBytes: 0 })
  })

  describe('reads the same records however the file is sliced', () => {
    const file = encode(representative)
    const whole = parseWhole(representative).records

    it('split in two at every byte', () => {
      for (let split = 0; split <= file.length; split++) {
        const sliced = parseInSlices(file, (offset, attempt) =>
          attempt === 1 && offset === 0 ? split : file.length,
        )
        expect(sliced, `split at byte ${split}`).toEqual(whole)
      }
    })

    it('in slices of every size', () => {
      for (let size = 1; size <= file.length; size++) {
        expect(
          parseInSlices(file, (offset, attempt) => offset + size * attempt),
          `slices of ${size} bytes`,
        ).toEqual(whole)
      }
    })
  })
})
