import { describe, expect, it } from 'vitest'
import { call, callJson } from '../support/api'
import { chatLine, expectOpenAIError, jsonl, OPENAI, tenantKey, uploadFile } from './support'

describe('OpenAI-compatible files', () => {
  it('uploads a JSONL batch file, gets it and downloads it as uploaded', async () => {
    const key = await tenantKey()
    const content = jsonl([chatLine('a', 'Hello'), chatLine('b', 'Bonjour')])
    const file = await uploadFile(key, content, 'requests.jsonl')
    expect(file).toEqual({
      id: expect.stringMatching(/^file_/),
      object: 'file',
      bytes: new TextEncoder().encode(content).length,
      created_at: expect.any(Number),
      filename: 'requests.jsonl',
      purpose: 'batch',
      status: 'processed',
    })
    expect(await callJson(`${OPENAI}/files/${file.id}`, 200, { token: key })).toEqual(file)
    const res = await call(`${OPENAI}/files/${file.id}/content`, { token: key })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(content)

    // The same stored file, seen through our own API.
    const ours = await callJson(`/v1/files/${file.id}`, 200, { token: key })
    expect(ours).toMatchObject({ id: file.id, format: 'jsonl', records: 2 })
  })

  it('refuses a CSV, a purpose other than batch and a missing file, in OpenAI’s error shape', async () => {
    const key = await tenantKey()
    const csv = await uploadFile(key, 'a,b\n1,2\n', 'rows.csv', 400)
    expectOpenAIError(csv, 'invalid_request_error', 'validation_failed')
    expect(csv.error.param).toBe('file')

    const form = new FormData()
    form.append('purpose', 'fine-tune')
    form.append('file', new File([jsonl([chatLine('a', 'Hi')])], 'a.jsonl'))
    const purpose = await callJson(`${OPENAI}/files`, 400, { method: 'POST', token: key, body: form })
    expectOpenAIError(purpose, 'invalid_request_error')
    expect(purpose.error.param).toBe('purpose')

    const unknown = await callJson(`${OPENAI}/files/file_nope`, 404, { token: key })
    expectOpenAIError(unknown, 'invalid_request_error', 'not_found')
    const early = await callJson(`${OPENAI}/files/file-out-bat_0000000000000000000000000a`, 404, {
      token: key,
    })
    expectOpenAIError(early, 'invalid_request_error', 'not_found')
  })
})
