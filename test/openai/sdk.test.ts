// The official `openai` npm package, unmodified, pointed at /openai/v1 and calling the Worker.
import { exports } from 'cloudflare:workers'
import OpenAI, { toFile } from 'openai'
import { describe, expect, it } from 'vitest'
import { chatLine, jsonl, tenantKey } from './support'

function client(apiKey: string) {
  return new OpenAI({
    apiKey,
    baseURL: 'http://localhost/openai/v1',
    maxRetries: 0,
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
  })
}

async function poll(openai: OpenAI, id: string, statuses: string[]) {
  const deadline = Date.now() + 20_000
  for (;;) {
    const batch = await openai.batches.retrieve(id)
    if (statuses.includes(batch.status)) return batch
    if (Date.now() > deadline) throw new Error(`Batch ${id} stayed ${batch.status}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('the OpenAI SDK against /openai/v1', () => {
  it('uploads a JSONL file, runs a batch, polls it, lists it, downloads its results and cancels another', async () => {
    const openai = client(await tenantKey())
    const lines = Array.from({ length: 50 }, (_, i) => chatLine(`task-${i}`, `Slogan for product ${i}`))
    const file = await openai.files.create({
      file: await toFile(new TextEncoder().encode(jsonl(lines)), 'batch.jsonl'),
      purpose: 'batch',
    })
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'batch.jsonl' })

    const batch = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { source: 'sdk-test' },
    })
    const done = await poll(openai, batch.id, ['completed', 'failed'])
    expect(done.status).toBe('completed')
    expect(done.request_counts).toEqual({ total: 50, completed: 50, failed: 0 })

    const content = await openai.files.content(done.output_file_id!)
    const results = (await content.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(results.map((line) => line.custom_id).sort()).toEqual(lines.map((line) => line.custom_id).sort())
    expect(results[0].response.body.choices[0].message.content).toEqual(expect.any(String))

    const big = await openai.files.create({
      file: await toFile(
        new Blob([jsonl(Array.from({ length: 400 }, (_, i) => chatLine(`c-${i}`, 'Hi')))]),
        'big.jsonl',
      ),
      purpose: 'batch',
    })
    const running = await openai.batches.create({
      input_file_id: big.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    })
    const cancelling = await openai.batches.cancel(running.id)
    expect(['cancelling', 'cancelled']).toContain(cancelling.status)
    expect((await poll(openai, running.id, ['cancelled'])).status).toBe('cancelled')

    const listed: string[] = []
    for await (const item of openai.batches.list({ limit: 1 })) listed.push(item.id)
    expect(listed).toEqual([running.id, batch.id])

    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hi' }],
    })
    expect(completion.choices[0]!.message.content).toContain('Say hi')

    // The SDK asks for base64 embeddings by default and decodes them itself.
    const embeddings = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] })
    const floats = await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
    })
    expect(embeddings.data).toHaveLength(2)
    embeddings.data[0]!.embedding.forEach((value, i) => {
      expect(value).toBeCloseTo(floats.data[0]!.embedding[i]!, 6)
    })
  })

  it('surfaces our errors as the SDK’s typed errors', async () => {
    const openai = client('iab_sk_wrong')
    const error = await openai.batches.list().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('unauthenticated')

    const good = client(await tenantKey())
    const stream = await good.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .catch((caught: unknown) => caught)
    expect(stream).toBeInstanceOf(OpenAI.BadRequestError)
    expect((stream as Error).message).toContain('streaming is not supported')
  })
})
