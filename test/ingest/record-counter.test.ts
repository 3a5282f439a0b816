import { describe, expect, it } from 'vitest'
import type { DataFormat } from '../../shared/db/schema'
import { createRecordCounter } from '../../shared/ingest/record-counter'
import { parseSlice } from '../../shared/ingest/slice'

const encode = (text: string) => new TextEncoder().encode(text)

async function countChunks(format: DataFormat, chunks: Uint8Array[]) {
  const counter = createRecordCounter(format)
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
  const passedThrough = new Uint8Array(await new Response(source.pipeThrough(counter.stream)).arrayBuffer())
  return { ...counter.result(), passedThrough }
}

const inChunksOf = (file: Uint8Array, size: number) =>
  Array.from({ length: Math.ceil(file.length / size) }, (_, i) => file.subarray(i * size, (i + 1) * size))

const csv = [
  '\uFEFF"id" , name ,"note, with comma"\r\n',
  '\r\n',
  '1,Ada,"said ""hi"""\r\n',
  '2,Zoë,"two\nlines"\n',
  '  \t \n',
  '3,"日本\r\n\r\n東京",🎉\n',
  '4,12" screen,"\n\n"\n',
  '5,too,many,fields\n',
  '6,"a","b"\n',
  '\n',
  '7,café,"🎉,🎉"\n',
  '8,"open quote at the end,\n9,x,y\n',
].join('')

const jsonl = [
  '\uFEFF{"id":1}\r\n',
  '\n',
  ' \t\r\n',
  '{"id":2,"name":"Zoë"}\n',
  '{"id":3,"name":"日本 🎉"}\r\n',
  '{not json\n',
  '[1,2]\n',
  '\uFEFF\n',
  '\uFEFF{"id":4}\n',
  '{"id":5}',
].join('')

const files: { format: DataFormat; name: string; text: string }[] = [
  { format: 'csv', name: 'CSV', text: csv },
  { format: 'csv', name: 'CSV ending in blank lines', text: 'a,b\n1,2\n\r\n \n' },
  { format: 'jsonl', name: 'JSONL', text: jsonl },
]

describe('createRecordCounter', () => {
  it('counts CSV rows after the header and captures the header names, trimmed and without a BOM', async () => {
    const result = await countChunks('csv', [encode(csv)])
    expect(result.header).toEqual(['id', 'name', 'note, with comma'])
    expect(result.records).toBe(8) // the open quote on row 8 runs to the end of the file
  })

  it('counts non-blank JSONL lines without validating them', async () => {
    const result = await countChunks('jsonl', [encode(jsonl)])
    expect(result).toMatchObject({ records: 7, header: null })
  })

  it('counts an empty file as no records and no header', async () => {
    expect(await countChunks('csv', [])).toMatchObject({ records: 0, header: null })
    expect(await countChunks('jsonl', [encode('\n\n')])).toMatchObject({ records: 0, header: null })
  })

  it('counts a BOM-only CSV file as empty', async () => {
    expect(await countChunks('csv', inChunksOf(encode('\uFEFF'), 1))).toMatchObject({
      records: 0,
      header: null,
    })
  })

  it('refuses to report a count before the stream has ended', () => {
    expect(() => createRecordCounter('csv').result()).toThrow(/after the whole stream/)
  })

  it('fails the stream on a CSV header row longer than 1 MiB rather than keep it in memory', async () => {
    const header = encode(`${'x'.repeat(1024 * 1024)},y`)
    await expect(countChunks('csv', inChunksOf(header, 64 * 1024))).rejects.toThrow(/longer than 1 MiB/)
  })

  for (const { format, name, text } of files) {
    const file = encode(text)
    const parsed = parseSlice(format, file, { header: null, final: true })
    const expected = { records: parsed.records.length, header: parsed.header ?? null, passedThrough: file }

    it(`${name}: passes bytes through and agrees with parseSlice when split in two at every byte`, async () => {
      for (let split = 0; split <= file.length; split++) {
        const chunks = [file.subarray(0, split), file.subarray(split)]
        expect(await countChunks(format, chunks), `split at byte ${split}`).toEqual(expected)
      }
    })

    it(`${name}: agrees with parseSlice in chunks of every size`, async () => {
      for (let size = 1; size <= file.length; size++) {
        expect(await countChunks(format, inChunksOf(file, size)), `chunks of ${size} bytes`).toEqual(expected)
      }
    })
  }
})
