import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { concatBytes } from '../../shared/bytes'
import { createApp } from '../../workers/api/app'
import { createByteLimiter } from '../../workers/files/byte-limit'
import { readMultipart } from '../../workers/files/multipart'
import { BASE, type Body, call, callJson, createKey, expectErrorEnvelope, signUp } from '../support/api'

const encoder = new TextEncoder()
const BOUNDARY = '----iab-test-boundary-7MA4YWxkTrZu0gW'

// BOM, CRLF line ends, and a quoted field holding a comma and a line break: three data records.
const TRICKY_CSV = '\uFEFFsku,description\r\nA1,"Red, large"\r\nA2,"Two\r\nlines"\r\nA3,plain\r\n'

type Part = { name: string; value: string | Uint8Array; filename?: string; type?: string }

/** A multipart/form-data body written by hand, so tests control part order and headers. */
function multipartBody(parts: Part[]): Uint8Array {
  const chunks = parts.flatMap(({ name, value, filename, type }) => [
    encoder.encode(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"` +
        `${filename ? `; filename="${filename}"` : ''}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`,
    ),
    typeof value === 'string' ? encoder.encode(value) : value,
    encoder.encode('\r\n'),
  ])
  return concatBytes([...chunks, encoder.encode(`--${BOUNDARY}--\r\n`)])
}

const multipartHeaders = { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` }

async function uploadForm(token: string, form: FormData, status = 200): Promise<Body> {
  return callJson('/v1/files', status, { method: 'POST', token, body: form })
}

async function uploadCsv(token: string, csv = TRICKY_CSV, filename = 'products.csv') {
  const form = new FormData()
  form.append('purpose', 'batch')
  form.append('file', new Blob([csv], { type: 'text/csv' }), filename)
  return uploadForm(token, form)
}

async function storedKeys(tenantId: string) {
  const listed = await env.FILES.list({ prefix: `uploads/${tenantId}/` })
  return listed.objects.map((object) => object.key)
}

/** Deterministic CSV of `rows` data rows, produced in chunks and never held whole. */
function generatedCsv(rows: number, rowsPerChunk = 5_000): ReadableStream<Uint8Array> {
  let row = 0
  return new ReadableStream({
    pull(controller) {
      if (row === 0) controller.enqueue(encoder.encode('sku,title,notes\n'))
      let text = ''
      for (const end = Math.min(rows, row + rowsPerChunk); row < end; row++)
        text += `SKU-${row},"Product ${row}, size ${row % 7}","line one\nline two ${'x'.repeat(row % 50)}"\n`
      controller.enqueue(encoder.encode(text))
      if (row >= rows) controller.close()
    },
  })
}

async function sha256(stream: ReadableStream<Uint8Array>): Promise<{ hex: string; bytes: number }> {
  const digest = new crypto.DigestStream('SHA-256')
  let bytes = 0
  const counting = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytes += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  await stream.pipeThrough(counting).pipeTo(digest)
  const hex = [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
  return { hex, bytes }
}

describe('uploading files', () => {
  it('stores a multipart CSV upload byte for byte and counts its records', async () => {
    const owner = await signUp()
    const file = await uploadCsv(owner.accessToken)
    const bytes = encoder.encode(TRICKY_CSV)
    expect(file).toMatchObject({
      object: 'file',
      filename: 'products.csv',
      purpose: 'batch',
      format: 'csv',
      records: 3,
      bytes: bytes.length,
    })
    expect(file.id).toMatch(/^file_/)
    expect(file.created_at).toBeGreaterThan(0)
    expect(await storedKeys(owner.tenantId)).toEqual([`uploads/${owner.tenantId}/${file.id}`])

    const res = await call(`/v1/files/${file.id}/content`, { token: owner.accessToken })
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toBe('text/csv')
    expect(res.headers.get('Content-Disposition')).toContain('attachment; filename="products.csv"')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes)
  })

  it('stores a raw JSON Lines body with purpose and filename from the query', async () => {
    const owner = await signUp()
    const jsonl = '{"sku":"A1"}\n{"sku":"A2"}\n\n{"sku":"A3"}'
    const file = await callJson('/v1/files?purpose=batch&filename=items.jsonl', 200, {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: jsonl,
    })
    expect(file).toMatchObject({ filename: 'items.jsonl', format: 'jsonl', records: 3, bytes: jsonl.length })
    const res = await call(`/v1/files/${file.id}/content`, { token: owner.accessToken })
    expect(res.headers.get('Content-Type')).toBe('application/jsonl')
    expect(await res.text()).toBe(jsonl)

    const unnamed = await callJson('/v1/files?purpose=batch', 200, {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'application/jsonl' },
      body: '{"a":1}\n',
    })
    expect(unnamed.filename).toBe('upload.jsonl')
  })

  it('accepts the purpose field after the file part, and takes the format from the extension', async () => {
    const owner = await signUp()
    const body = multipartBody([
      {
        name: 'file',
        value: 'a,b\n1,2\n',
        filename: 'C:\\exports\\feed.csv',
        type: 'application/octet-stream',
      },
      { name: 'purpose', value: 'batch' },
    ])
    const file = await callJson('/v1/files', 200, {
      method: 'POST',
      token: owner.accessToken,
      headers: multipartHeaders,
      body,
    })
    expect(file).toMatchObject({ filename: 'feed.csv', format: 'csv', records: 1, bytes: 8 })
  })

  it('streams a file of several R2 parts and round-trips it exactly', async () => {
    const owner = await signUp()
    const rows = 280_000
    const head = encoder.encode(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n` +
        'Content-Type: text/csv\r\n\r\n',
    )
    const tail = encoder.encode(`\r\n--${BOUNDARY}--\r\n`)
    const csv = generatedCsv(rows)
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(head)
        for await (const chunk of csv) controller.enqueue(chunk)
        controller.enqueue(tail)
        controller.close()
      },
    })
    const file = await callJson('/v1/files', 200, {
      method: 'POST',
      token: owner.accessToken,
      headers: multipartHeaders,
      body,
    })
    const expected = await sha256(generatedCsv(rows))
    expect(expected.bytes).toBeGreaterThan(20 * 1024 * 1024)
    expect(file).toMatchObject({ records: rows, bytes: expected.bytes })
    const stored = await env.FILES.head(`uploads/${owner.tenantId}/${file.id}`)
    // A multipart object's ETag ends with its part count: 8 MiB parts make three here.
    expect(stored?.etag).toMatch(/-3$/)

    const res = await call(`/v1/files/${file.id}/content`, { token: owner.accessToken })
    expect(Number(res.headers.get('Content-Length'))).toBe(expected.bytes)
    expect(await sha256(res.body!)).toEqual(expected)
  })

  it('answers 413 naming the limit when a declared or streamed body is too large', async () => {
    const owner = await signUp()
    const declared = await callJson('/v1/files?purpose=batch', 413, {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'text/csv', 'Content-Length': String(6 * 1024 ** 3) },
      body: 'a\n1\n',
    })
    expectErrorEnvelope(declared, 'payload_too_large')
    expect(declared.error.message).toContain(env.MAX_UPLOAD_BYTES)

    // The same app with a 1 KB limit and a chunked body: the stream is cut off while flowing.
    const ctx = createExecutionContext()
    const request = new Request(`${BASE}/v1/files`, {
      method: 'POST',
      headers: { ...multipartHeaders, Authorization: `Bearer ${owner.accessToken}` },
      body: new Blob([
        multipartBody([{ name: 'file', value: 'x\n'.repeat(2_000), filename: 'big.csv' }]),
      ]).stream(),
    })
    const res = await createApp().fetch(request, { ...env, MAX_UPLOAD_BYTES: '1000' }, ctx)
    await waitOnExecutionContext(ctx)
    expect(res.status).toBe(413)
    expect((await res.json<Body>()).error.message).toBe('Request body exceeds the limit of 1000 bytes.')
    expect(await storedKeys(owner.tenantId)).toEqual([])
    expect((await callJson('/v1/files', 200, { token: owner.accessToken })).data).toEqual([])
  })

  it('answers 415 naming what is accepted for other file types', async () => {
    const owner = await signUp()
    const raw = await callJson('/v1/files?purpose=batch', 415, {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'application/pdf' },
      body: '%PDF-1.7',
    })
    expectErrorEnvelope(raw, 'unsupported_media_type')
    expect(raw.error.message).toContain('text/csv')
    expect(raw.error.message).toContain('application/jsonl')

    const form = new FormData()
    form.append('purpose', 'batch')
    form.append('file', new Blob(['%PDF'], { type: 'application/pdf' }), 'brief.pdf')
    expectErrorEnvelope(await uploadForm(owner.accessToken, form, 415), 'unsupported_media_type')
  })

  it('refuses empty files, files without data records, and a missing or unknown purpose', async () => {
    const owner = await signUp()
    const cases: [string, string][] = [
      ['', 'empty'],
      ['sku,title\r\n', 'no data records'],
    ]
    for (const [csv, message] of cases) {
      const body = await callJson('/v1/files?purpose=batch', 400, {
        method: 'POST',
        token: owner.accessToken,
        headers: { 'Content-Type': 'text/csv' },
        body: csv,
      })
      expectErrorEnvelope(body, 'validation_failed')
      expect(body.error.message).toContain(message)
    }
    const late = multipartBody([
      { name: 'file', value: 'a\n1\n', filename: 'x.csv' },
      { name: 'purpose', value: 'fine-tune' },
    ])
    const body = await callJson('/v1/files', 400, {
      method: 'POST',
      token: owner.accessToken,
      headers: multipartHeaders,
      body: late,
    })
    expect(body.error.message).toContain('purpose')
    await callJson('/v1/files', 400, {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'text/csv' },
      body: 'a\n1\n',
    })
    expect(await storedKeys(owner.tenantId)).toEqual([])
  })
})

describe('managing files', () => {
  it('lists newest first, gets and deletes a file and its stored bytes', async () => {
    const owner = await signUp()
    const first = await uploadCsv(owner.accessToken, 'a\n1\n', 'first.csv')
    const second = await uploadCsv(owner.accessToken, 'a\n1\n2\n', 'second.csv')
    const page = await callJson('/v1/files?limit=1', 200, { token: owner.accessToken })
    expect(page).toMatchObject({ object: 'list', has_more: true, first_id: second.id, last_id: second.id })
    expect(page.data).toEqual([second])
    const next = await callJson(`/v1/files?limit=1&after=${page.last_id}`, 200, { token: owner.accessToken })
    expect(next).toMatchObject({ data: [first], has_more: false })
    expect(await callJson(`/v1/files/${first.id}`, 200, { token: owner.accessToken })).toEqual(first)

    const deleted = await callJson(`/v1/files/${first.id}`, 200, {
      method: 'DELETE',
      token: owner.accessToken,
    })
    expect(deleted).toEqual({ id: first.id, object: 'file', deleted: true })
    expect(await storedKeys(owner.tenantId)).toEqual([`uploads/${owner.tenantId}/${second.id}`])
    for (const path of [`/v1/files/${first.id}`, `/v1/files/${first.id}/content`])
      expectErrorEnvelope(await callJson(path, 404, { token: owner.accessToken }), 'not_found')
    await callJson(`/v1/files/${first.id}`, 404, { method: 'DELETE', token: owner.accessToken })
  })

  it('answers 404 for another tenant’s file and keeps it out of their list', async () => {
    const owner = await signUp()
    const other = await signUp()
    const file = await uploadCsv(owner.accessToken)
    for (const path of [`/v1/files/${file.id}`, `/v1/files/${file.id}/content`]) {
      expectErrorEnvelope(await callJson(path, 404, { token: other.accessToken }), 'not_found')
    }
    const refused = await callJson(`/v1/files/${file.id}`, 404, {
      method: 'DELETE',
      token: other.accessToken,
    })
    expectErrorEnvelope(refused, 'not_found')
    expect((await callJson('/v1/files', 200, { token: other.accessToken })).data).toEqual([])
    await callJson(`/v1/files/${file.id}`, 200, { token: owner.accessToken })
  })

  it('lets a read-only key list and download but not upload or delete', async () => {
    const owner = await signUp()
    const file = await uploadCsv(owner.accessToken)
    const { key } = await createKey(owner.accessToken, ['read'])
    expect((await callJson('/v1/files', 200, { token: key })).data).toHaveLength(1)
    expect((await call(`/v1/files/${file.id}/content`, { token: key })).status).toBe(200)
    const form = new FormData()
    form.append('purpose', 'batch')
    form.append('file', new Blob(['a\n1\n']), 'x.csv')
    expectErrorEnvelope(await uploadForm(key, form, 403), 'forbidden')
    await callJson(`/v1/files/${file.id}`, 403, { method: 'DELETE', token: key })
  })
})

describe('upload streaming helpers', () => {
  it('fails the stream once more bytes than the limit have passed', async () => {
    const limiter = createByteLimiter({ maxBytes: 10 })
    const source = new Blob(['12345', '67890', '1']).stream()
    const received: number[] = []
    const sink = new WritableStream<Uint8Array>({ write: (chunk) => void received.push(chunk.length) })
    await expect(source.pipeThrough(limiter.stream).pipeTo(sink)).rejects.toMatchObject({
      status: 413,
      message: 'Request body exceeds the limit of 10 bytes.',
    })
    expect(received.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10)
  })

  it('parses parts whose delimiters straddle chunk boundaries', async () => {
    const body = multipartBody([
      { name: 'purpose', value: 'batch' },
      { name: 'file', value: 'a,b\r\n1,"x\r\n--y"\r\n', filename: 'caf\u00e9.csv', type: 'text/csv' },
    ])
    for (const size of [1, 3, 7, 64]) {
      let offset = 0
      const chunked = new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(body.slice(offset, offset + size))
          offset += size
          if (offset >= body.length) controller.close()
        },
      })
      const parts: { name: string; filename: string | null; text: string }[] = []
      for await (const part of readMultipart(chunked, BOUNDARY))
        parts.push({ name: part.name, filename: part.filename, text: await new Response(part.body).text() })
      expect(parts).toEqual([
        { name: 'purpose', filename: null, text: 'batch' },
        { name: 'file', filename: 'caf\u00e9.csv', text: 'a,b\r\n1,"x\r\n--y"\r\n' },
      ])
    }
  })

  it('refuses a truncated multipart body', async () => {
    const body = multipartBody([{ name: 'file', value: 'a\n1\n', filename: 'x.csv' }]).slice(0, -20)
    const consume = async () => {
      for await (const part of readMultipart(new Blob([body]).stream(), BOUNDARY))
        await part.body.pipeTo(new WritableStream())
    }
    await expect(consume()).rejects.toMatchObject({ status: 400, code: 'validation_failed' })
  })
})

describe('the per-record limit (MAX_RECORD_BYTES)', () => {
  const MiB = 1024 * 1024

  it('refuses an upload with a record over the limit, on /v1/files and /openai/v1/files alike', async () => {
    const owner = await signUp()
    expect(env.MAX_RECORD_BYTES).toBe(String(MiB))
    const longCsv = `sku,notes\nA1,short\nA2,${'x'.repeat(MiB)}\nA3,short\n`
    const raw = await callJson('/v1/files?purpose=batch&filename=long.csv', 413, {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'text/csv' },
      body: longCsv,
    })
    expectErrorEnvelope(raw, 'record_too_large')
    expect(raw.error.message).toBe('A record is limited to 1 MiB; record 2 has more.')
    expect(raw.error.details).toEqual({ limit_bytes: MiB, record: 2 })

    // One JSONL line with no newline at all, sent as a multipart file in chunks.
    const line = `{"custom_id":"a","input":{"title":"${'y'.repeat(MiB + 10)}"}}`
    const form = new FormData()
    form.append('purpose', 'batch')
    form.append('file', new Blob([line], { type: 'application/jsonl' }), 'one-line.jsonl')
    const multipart = await uploadForm(owner.accessToken, form, 413)
    expectErrorEnvelope(multipart, 'record_too_large')
    expect(multipart.error.message).toContain('record 1 has more')

    const openaiForm = new FormData()
    openaiForm.append('purpose', 'batch')
    openaiForm.append('file', new Blob([`{"custom_id":"ok"}\n${line}\n`]), 'batch.jsonl')
    const openai = await callJson('/openai/v1/files', 413, {
      method: 'POST',
      token: owner.accessToken,
      body: openaiForm,
    })
    expect(openai.error).toMatchObject({ code: 'record_too_large' })
    expect(openai.error.message).toContain('A record is limited to 1 MiB; record 2 has more.')

    expect(await storedKeys(owner.tenantId)).toEqual([])
  })

  it('takes a record of exactly the limit, CRLF not counted', async () => {
    const owner = await signUp()
    const header = 'sku,notes'
    const row = `A1,${'x'.repeat(MiB - 3)}`
    expect(encoder.encode(row).length).toBe(MiB)
    const file = await callJson('/v1/files?purpose=batch&filename=edge.csv', 200, {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'text/csv' },
      body: `${header}\r\n${row}\r\n`,
    })
    expect(file.records).toBe(1)
  })
})
