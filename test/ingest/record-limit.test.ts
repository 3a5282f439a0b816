// One record is bounded: uploads with a record over MAX_RECORD_BYTES are refused while they stream,
// and a batch object reading a file never reads more than a slice plus one record, however long a
// record of the file is (one that got in anyway fails as a task).
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { IngestError, ingestSlice, maxSliceBytes, SLICE_BYTES } from '../../durable-objects/batch/ingest'
import type { FileSource } from '../../durable-objects/batch/state'
import { BatchStore } from '../../durable-objects/batch/store'
import { concatBytes } from '../../shared/bytes'
import type { DataFormat } from '../../shared/db/schema'
import { DEFAULT_DIALECT } from '../../shared/ingest/dialect'
import { createRecordCounter, RecordTooLarge } from '../../shared/ingest/record-counter'
import { parseSlice, skipRecord } from '../../shared/ingest/slice'
import { TASK_STATE } from '../../shared/pipeline/chunks'

const encode = (text: string) => new TextEncoder().encode(text)

async function count(format: DataFormat, text: string, maxRecordBytes: number, chunk = 7) {
  const bytes = encode(text)
  const counter = createRecordCounter(format, { maxRecordBytes })
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk))
      controller.close()
    },
  })
  await body.pipeThrough(counter.stream).pipeTo(new WritableStream())
  return counter.result().records
}

describe('the record counter with a record limit', () => {
  it('fails the stream naming the first record over the limit, CSV quotes and CRLF included', async () => {
    expect(await count('jsonl', '{"a":1}\r\n{"b":22}\n', 8)).toBe(2)
    await expect(count('jsonl', '{"a":1}\n{"b":222}\n', 8)).rejects.toMatchObject({
      record: 2,
      limitBytes: 8,
      message: 'A record is limited to 8 bytes; record 2 has more.',
    })
    // A blank but overlong line is refused too: the reader would have to hold it.
    await expect(count('jsonl', `{"a":1}\n${' '.repeat(20)}\n`, 8)).rejects.toBeInstanceOf(RecordTooLarge)
    // The line break inside quotes is part of the record.
    expect(await count('csv', 'a,b\r\n1,"x\ny"\r\n', 7)).toBe(1)
    await expect(count('csv', 'a,b\n1,"x\nyz"\n', 7)).rejects.toMatchObject({ record: 1 })
    await expect(count('csv', 'abcdefghij\n1\n', 8)).rejects.toMatchObject({
      record: 0,
      message: 'The CSV header row is longer than 8 bytes.',
    })
  })

  it('stops at the limit without waiting for the end of a record that goes on and on', async () => {
    const counter = createRecordCounter('jsonl', { maxRecordBytes: 1024 })
    let sent = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Bounded only so that a counter without a limit fails this test instead of running on.
        if (sent >= 1024 * 1024) return controller.close()
        sent += 512
        controller.enqueue(new Uint8Array(512).fill(0x61))
      },
    })
    await expect(endless.pipeThrough(counter.stream).pipeTo(new WritableStream())).rejects.toBeInstanceOf(
      RecordTooLarge,
    )
    expect(sent).toBeLessThan(16 * 1024)
  })
})

describe('parseSlice with a record limit', () => {
  it('fails a complete record over the limit without decoding it, and reads the rest', () => {
    const result = parseSlice('csv', encode(`a\n1\n${'x'.repeat(20)}\n2\n`), {
      header: null,
      final: true,
      maxRecordBytes: 8,
    })
    expect(result.records).toEqual([
      { ok: true, value: { a: '1' } },
      {
        ok: false,
        code: 'record_too_large',
        error: 'Record is longer than the limit of 8 bytes per record.',
      },
      { ok: true, value: { a: '2' } },
    ])
  })

  it('fails a record cut off by the slice once it is already over the limit, and tells how to skip it', () => {
    const bytes = encode(`{"a":1}\n{"b":"${'x'.repeat(30)}`)
    const result = parseSlice('jsonl', bytes, { header: null, final: false, maxRecordBytes: 16 })
    expect(result.records.map((record) => record.ok)).toEqual([true, false])
    expect(result.consumedBytes).toBe(bytes.length)
    expect(result.skip).toBe(0)
    // A shorter tail is waited for, as without a limit.
    const short = parseSlice('jsonl', encode('{"a":1}\n{"b":'), {
      header: null,
      final: false,
      maxRecordBytes: 16,
    })
    expect(short).toMatchObject({ records: [{ ok: true, value: { a: 1 } }], consumedBytes: 8 })
  })

  it('skips the rest of an overlong CSV record with its quote state, not at a quoted line break', () => {
    const start = parseSlice('csv', encode(`a,b\n1,"${'x'.repeat(20)}`), {
      header: null,
      final: false,
      maxRecordBytes: 10,
    })
    expect(start.header).toEqual(['a', 'b'])
    expect(start.skip).toBeDefined()
    const inQuotes = skipRecord('csv', encode('still\nquoted'), start.skip!)
    expect(inQuotes).toMatchObject({ end: null })
    const closed = skipRecord('csv', encode('"\n2,3\n'), inQuotes.skip!)
    expect(closed).toEqual({ end: 2, skip: null })
  })
})

/** An R2 bucket over one object in memory that records the length of every read. */
function recordingBucket(bytes: Uint8Array) {
  const reads: number[] = []
  const bucket = {
    async head() {
      return { size: bytes.length }
    },
    async get(_key: string, options: { range: { offset: number; length: number } }) {
      const { offset, length } = options.range
      reads.push(length)
      const slice = bytes.slice(offset, offset + length)
      return { arrayBuffer: async () => slice.buffer }
    },
  } as unknown as R2Bucket
  return { bucket, reads }
}

describe('ingestSlice', () => {
  it('never reads more than a slice plus one record, and fails a huge record as a task', async () => {
    const limit = 64 * 1024
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0x61)
    const file = concatBytes([
      encode('{"custom_id":"a","title":"First"}\n{"custom_id":"huge","title":"'),
      huge,
      encode('"}\n{"custom_id":"c","title":"After"}\n'),
    ])
    const { bucket, reads } = recordingBucket(file)
    const source: FileSource = {
      key: 'uploads/t/f',
      format: 'jsonl',
      mapping: null,
      dialect: DEFAULT_DIALECT,
      skipBlank: null,
      offset: 0,
      size: null,
      header: null,
      sliceBytes: SLICE_BYTES,
    }
    const stub = env.BATCHES.get(env.BATCHES.newUniqueId())
    const chunks = await runInDurableObject(stub, async (_instance, state) => {
      const store = new BatchStore(state.storage)
      store.createTables()
      let seq = 1
      let chunk = 1
      for (let step = 0; step < 20; step++) {
        const written = await ingestSlice(bucket, store, source, {
          firstSeq: seq,
          firstChunk: chunk,
          chunkTasks: 500,
          cancelled: false,
          maxRecordBytes: limit,
        })
        seq += written.tasks
        chunk += written.chunks
        if (written.done) break
      }
      return store.chunksAfter(0, 10)
    })
    expect(Math.max(...reads)).toBeLessThanOrEqual(maxSliceBytes(limit))
    expect(maxSliceBytes(limit)).toBe(SLICE_BYTES + limit)
    // The huge record is a chunk of its own, failed, so no consumer ever reads its bytes.
    expect(chunks.map((chunk) => [chunk.firstSeq, [...chunk.states]])).toEqual([
      [1, [TASK_STATE.open]],
      [2, [TASK_STATE.invalid]],
      [3, [TASK_STATE.open]],
    ])
    expect(chunks[1]!.ingestErrors).toEqual([
      {
        seq: 2,
        customId: 'row-2',
        error: {
          code: 'record_too_large',
          message: 'Row 2: Record is longer than the limit of 64 KiB per record.',
        },
      },
    ])
    const rows = (chunk: (typeof chunks)[number]) =>
      new TextDecoder().decode(file.subarray(chunk.start, chunk.end))
    expect(rows(chunks[0]!)).toBe('{"custom_id":"a","title":"First"}\n')
    expect(rows(chunks[2]!)).toBe('{"custom_id":"c","title":"After"}\n')
  })

  it('fails the file when its CSV header is over the record limit', async () => {
    const { bucket } = recordingBucket(encode(`${'h'.repeat(100)}\n1\n`))
    const source: FileSource = {
      key: 'k',
      format: 'csv',
      mapping: null,
      dialect: DEFAULT_DIALECT,
      skipBlank: null,
      offset: 0,
      size: null,
      header: null,
      sliceBytes: 16,
    }
    const stub = env.BATCHES.get(env.BATCHES.newUniqueId())
    const thrown = await runInDurableObject(stub, async (_instance, state) => {
      const store = new BatchStore(state.storage)
      store.createTables()
      const options = { firstSeq: 1, firstChunk: 1, chunkTasks: 500, cancelled: false }
      for (let step = 0; step < 10; step++) {
        try {
          await ingestSlice(bucket, store, source, { ...options, maxRecordBytes: 32 })
        } catch (error) {
          return error instanceof IngestError ? error.message : String(error)
        }
      }
      return null
    })
    expect(thrown).toBe('The CSV header row is longer than the record limit of 32 bytes.')
  })
})
