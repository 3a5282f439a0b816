// The guarded fetch is the only way tenant-chosen URLs are fetched: a refused URL (or redirect
// target) is never requested, redirects come back unfollowed unless asked for, and then every hop
// is judged again. Image URLs (Workers AI fetches them) and tenants' provider base URLs go through
// it; a local host that counts requests shows that nothing was sent.
import { describe, expect, it } from 'vitest'
import { openaiProvider } from '../../workers/ai/providers/openai'
import { aiOverRest, workersAiProvider } from '../../workers/ai/providers/workers-ai'
import {
  fetchGuarded,
  ResponseTooLargeError,
  readBounded,
  UrlRefusedError,
} from '../../workers/security/guarded-fetch'
import { PIXEL_PNG_BASE64, providerError, providerRequest } from '../ai/providers/request'
import { callJson, expectErrorEnvelope, signUp } from '../support/api'
import { hits, hostUrl, publish, uniquePath } from '../support/jwks-host'
import { baseUrl, receivedRequests, uniqueKey } from '../support/protocol-servers/script'

/** Loopback allowed, as in local development with the flag. */
const LOCAL = { APP_ENV: 'development', WEBHOOKS_ALLOW_LOCALHOST: 'true' } as const
/** The flag off: loopback refused like any private address. */
const STRICT = { APP_ENV: 'development' } as const
const PRIVATE_IMAGES = [
  'http://10.0.0.1/a.png',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:0:a00:1]/a.png',
]

async function refusal(work: Promise<unknown>): Promise<UrlRefusedError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  )
  expect(error).toBeInstanceOf(UrlRefusedError)
  return error as UrlRefusedError
}

async function publishedImage() {
  const path = uniquePath('pixel.png')
  await publish(path, { body: atob(PIXEL_PNG_BASE64), type: 'image/png' })
  return { path, url: hostUrl(path) }
}

describe('guarded fetch', () => {
  it('sends nothing to a loopback URL when the dev flag is off, and fetches it when it is on', async () => {
    const { path, url } = await publishedImage()
    const error = await refusal(fetchGuarded(STRICT, url))
    expect(error.reason).toContain('loopback')
    expect(await hits(path)).toBe(0)
    expect((await fetchGuarded(LOCAL, url)).status).toBe(200)
    expect(await hits(path)).toBe(1)
  })

  it.each(PRIVATE_IMAGES)('refuses %s whatever the flag says', async (url) => {
    await refusal(fetchGuarded(LOCAL, url))
  })

  it('hands a redirect back unfollowed by default', async () => {
    const target = uniquePath('target')
    await publish(target, { body: 'followed' })
    const start = uniquePath('start')
    await publish(start, { redirectTo: hostUrl(target) })
    const response = await fetchGuarded(LOCAL, hostUrl(start))
    expect(response.status).toBe(302)
    expect(await hits(target)).toBe(0)
  })

  it('does not follow a redirect from an allowed URL to a private one, in any spelling', async () => {
    const target = uniquePath('target')
    await publish(target, { body: 'secret' })
    const port = new URL(hostUrl(target)).port
    for (const location of [
      `http://[::ffff:7f00:1]:${port}${target}`,
      `http://[::ffff:0:7f00:1]:${port}${target}`,
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9fea9fe/',
    ]) {
      const start = uniquePath('start')
      await publish(start, { redirectTo: location })
      const error = await refusal(fetchGuarded(LOCAL, hostUrl(start), {}, { maxRedirects: 3 }))
      expect(error.url).not.toBe(hostUrl(start))
      expect(await hits(start)).toBe(1)
    }
    expect(await hits(target)).toBe(0)
  })

  it('follows allowed hops when asked, up to the cap', async () => {
    const target = uniquePath('target')
    await publish(target, { body: 'here' })
    const hop = uniquePath('hop')
    await publish(hop, { redirectTo: target })
    const response = await fetchGuarded(LOCAL, hostUrl(hop), {}, { maxRedirects: 2 })
    expect(await response.text()).toBe('here')

    const loop = uniquePath('loop')
    await publish(loop, { redirectTo: loop })
    const error = await refusal(fetchGuarded(LOCAL, hostUrl(loop), {}, { maxRedirects: 2 }))
    expect(error.reason).toContain('More than 2 redirects')
    expect(await hits(loop)).toBe(3)
  })
})

describe('image URLs through the Workers AI provider', () => {
  function provider(imageGuard: typeof STRICT) {
    const key = uniqueKey('cf')
    const ai = aiOverRest({ baseUrl: baseUrl('workersAi'), accountId: '0'.repeat(32), apiToken: key })
    return { key, provider: workersAiProvider({ ai, imageGuard }) }
  }
  const classify = (url: string) =>
    providerRequest({ kind: 'classify_image', image: { url } }, '@cf/microsoft/resnet-50')

  it('refuses a loopback image with the flag off: no image fetch, no model call', async () => {
    const { path, url } = await publishedImage()
    const { key, provider: strict } = provider(STRICT)
    const error = await providerError(strict.generate(classify(url)))
    expect(error).toMatchObject({ code: 'url_refused', retryable: false })
    expect(await hits(path)).toBe(0)
    expect(await receivedRequests('workersAi', key)).toEqual([])
  })

  it.each(PRIVATE_IMAGES)('refuses the image %s with the flag on', async (url) => {
    const { key, provider: local } = provider(LOCAL)
    expect(await providerError(local.generate(classify(url)))).toMatchObject({ code: 'url_refused' })
    expect(await receivedRequests('workersAi', key)).toEqual([])
  })

  it('does not follow an image redirect to a private address', async () => {
    const { path } = await publishedImage()
    const port = new URL(hostUrl(path)).port
    const start = uniquePath('image-redirect')
    await publish(start, { redirectTo: `http://[::ffff:7f00:1]:${port}${path}` })
    const { provider: local } = provider(LOCAL)
    expect(await providerError(local.generate(classify(hostUrl(start))))).toMatchObject({
      code: 'url_refused',
    })
    expect(await hits(path)).toBe(0)
  })
})

describe('a tenant’s provider base URL', () => {
  const chat = providerRequest({ kind: 'chat', messages: [{ role: 'user', content: 'Hi' }] }, 'gpt-4o-mini')

  it('is refused at call time when the guard refuses it, and nothing reaches the server', async () => {
    const key = uniqueKey('tenant')
    const tenantProvider = openaiProvider({ baseUrl: baseUrl('openai'), apiKey: key, guard: STRICT })
    expect(await providerError(tenantProvider.generate(chat))).toMatchObject({ code: 'url_refused' })
    expect(await receivedRequests('openai', key)).toEqual([])
  })

  it('does not follow a redirect from the base URL', async () => {
    const target = uniquePath('v1/chat/completions')
    const start = uniquePath('v1')
    await publish(`${start}/chat/completions`, { redirectTo: hostUrl(target) })
    const tenantProvider = openaiProvider({ baseUrl: hostUrl(start), apiKey: 'sk-test', guard: LOCAL })
    expect(await providerError(tenantProvider.generate(chat))).toMatchObject({
      status: 302,
      retryable: false,
    })
    expect(await hits(target)).toBe(0)
  })
})

describe('image URLs at the door', () => {
  it.each(PRIVATE_IMAGES)('refuses a task input whose image_url is %s', async (image_url) => {
    const owner = await signUp()
    const body = await callJson('/v1/generate', 400, {
      method: 'POST',
      token: owner.accessToken,
      json: { task: 'image_alt_text', input: { image_url } },
    })
    expectErrorEnvelope(body, 'invalid_input')
    expect(body.error.message).toContain('image_url is refused')
  })
})

describe('answers of tenant-chosen URLs are read only up to a bound', () => {
  /** A body that streams `chunks` chunks of 64 KiB with no Content-Length, counting what was pulled. */
  function streamed(chunks: number) {
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === chunks) return controller.close()
        pulled++
        controller.enqueue(new Uint8Array(64 * 1024))
      },
    })
    return { response: new Response(body), pulled: () => pulled }
  }

  it('reads a body within the bound whole', async () => {
    expect((await readBounded(new Response('{"keys":[]}'), 64)).byteLength).toBe(11)
  })

  it('refuses by Content-Length before reading, and stops a streamed body at the bound', async () => {
    const declared = new Response('x'.repeat(100), { headers: { 'Content-Length': '100' } })
    await expect(readBounded(declared, 99)).rejects.toBeInstanceOf(ResponseTooLargeError)
    const { response, pulled } = streamed(1_000)
    await expect(readBounded(response, 256 * 1024)).rejects.toBeInstanceOf(ResponseTooLargeError)
    // 64 MB on offer; the read stopped just past 256 KiB.
    expect(pulled()).toBeLessThan(10)
  })
})
