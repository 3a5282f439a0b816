import { describe, expect, it } from 'vitest'
import { setRoute, useProviderKey } from '../support/ai'
import { call, callJson, signUp } from '../support/api'
import { origin, receivedRequests, script, uniqueKey } from '../support/protocol-servers/script'

async function uploadPixel(token: string) {
  const png = new Uint8Array(await (await fetch(`${origin('openai')}/__fixtures/pixel.png`)).arrayBuffer())
  const file = await callJson('/v1/files?purpose=image&filename=pixel.png', 200, {
    method: 'POST',
    token,
    headers: { 'Content-Type': 'image/png' },
    body: png,
  })
  return { file, png }
}

describe('images by uploaded file', () => {
  it('sends an uploaded image to the model as the file’s bytes', async () => {
    const owner = await signUp()
    const { file, png } = await uploadPixel(owner.accessToken)
    expect(file).toMatchObject({ purpose: 'image', format: 'png', records: 1 })

    const key = uniqueKey('vision')
    await useProviderKey(owner.accessToken, 'openai', key)
    await setRoute(owner.accessToken, 'image_alt_text', [{ provider: 'openai', model: 'gpt-4o-mini' }])
    await script('openai', key, [{ content: JSON.stringify({ alt_text: 'A single white pixel' }) }])
    const result = await callJson('/v1/generate', 200, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'image_alt_text', input: { image_file_id: file.id } },
    })
    expect(result).toMatchObject({ status: 'succeeded', output: { alt_text: 'A single white pixel' } })
    const [request] = await receivedRequests('openai', key)
    const parts = (request!.body as { messages: { content: unknown }[] }).messages[1]!.content as {
      type: string
      image_url?: { url: string }
    }[]
    const image = parts.find((part) => part.type === 'image_url')!
    expect(image.image_url!.url).toBe(`data:image/png;base64,${btoa(String.fromCharCode(...png))}`)
  })

  it('refuses an image as a batch input file, and another tenant’s image', async () => {
    const owner = await signUp()
    const other = await signUp()
    const { file } = await uploadPixel(owner.accessToken)
    const refused = await callJson('/v1/batches', 400, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'seo_meta', input_file_id: file.id },
    })
    expect(refused.error.code).toBe('not_a_batch_file')
    const result = await callJson('/v1/generate', 400, {
      method: 'POST',
      token: other.accessToken,
      json: { task: 'image_alt_text', input: { image_file_id: file.id } },
    })
    expect(result.error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining(file.id) })
  })

  it('refuses a CSV uploaded as an image', async () => {
    const owner = await signUp()
    const res = await call('/v1/files?purpose=image&filename=rows.csv', {
      method: 'POST',
      token: owner.accessToken,
      headers: { 'Content-Type': 'text/csv' },
      body: 'title\nx\n',
    })
    expect(res.status).toBe(415)
  })
})
