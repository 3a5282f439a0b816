// The scripting layer shared by the protocol servers (Node, started from test/global-setup.ts).
// Each server decides what a request means; this file queues scripted answers, records requests,
// and serves a fixture image. Routes on every server, under any path prefix:
//
//   POST   …/__script              { key, responses: ScriptedResponse[] } appends to key's queue → 204
//   DELETE …/__script?key=K        forgets K's queue and recorded requests → 204
//   GET    …/__requests?key=K      RecordedRequest[] received for K, oldest first
//   GET    /__fixtures/pixel.png   a 1×1 PNG (any other /__fixtures/ path answers 404)
//
// A request belongs to every key it names: its API key and its model. It takes the next scripted
// answer from the first of those keys with one queued; with none queued the server answers a
// plausible deterministic default.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type ScriptedResponse = {
  /** HTTP status; default 200. 4xx/5xx answer the provider's real error body for that status. */
  status?: number
  headers?: Record<string, string>
  /** Wait this long before answering (for timeouts). */
  delayMs?: number
  /** Close the connection without answering (a network error). */
  disconnect?: boolean
  /** Sent as is (strings verbatim, anything else as JSON) instead of the server's own body. */
  body?: unknown
  /** Error message inside the provider's error body. */
  message?: string
  /** The model's answer: chat text (Workers AI: `response`, which may be an object in JSON mode). */
  content?: string | Record<string, unknown>
  /** Anthropic: the input of the forced tool call. */
  toolInput?: Record<string, unknown>
  /** OpenAI `finish_reason`, Anthropic `stop_reason`. */
  finishReason?: string
  /** OpenAI: `message.refusal`. */
  refusal?: string
  /** Token usage to report instead of the estimate. */
  usage?: { input_tokens: number; output_tokens: number }
  /** Workers AI: the whole `result` of the envelope. */
  result?: unknown
  /** Workers AI: `errors[0].code` of an error envelope. */
  errorCode?: number
}

export type RecordedRequest = {
  method: string
  path: string
  headers: Record<string, string>
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown
}

export type Reply = { status: number; headers?: Record<string, string>; body: unknown }

export type Protocol = {
  /** The keys a request can be scripted and looked up by: its API key and its model. */
  keys(request: RecordedRequest): (string | undefined)[]
  /** Auth and request-shape checks; a reply here is sent without consuming a scripted answer. */
  validate(request: RecordedRequest): Reply | undefined
  /** The provider's error body for a scripted failure. */
  error(status: number, step: ScriptedResponse, request: RecordedRequest): Reply
  /** The provider's success body. */
  answer(request: RecordedRequest, step: ScriptedResponse): Reply
}

// 1×1 transparent PNG.
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

export async function startProtocolServer(protocol: Protocol) {
  const queues = new Map<string, ScriptedResponse[]>()
  const received = new Map<string, RecordedRequest[]>()

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const text = await readBody(req)
    const key = url.searchParams.get('key') ?? ''
    if (url.pathname.endsWith('/__script') && req.method === 'POST') {
      const { key, responses } = JSON.parse(text) as { key: string; responses: ScriptedResponse[] }
      queues.set(key, [...(queues.get(key) ?? []), ...responses])
      return res.writeHead(204).end()
    }
    if (url.pathname.endsWith('/__script') && req.method === 'DELETE') {
      queues.delete(key)
      received.delete(key)
      return res.writeHead(204).end()
    }
    if (url.pathname.endsWith('/__requests')) return send(res, { status: 200, body: received.get(key) ?? [] })
    if (url.pathname.startsWith('/__fixtures/')) {
      if (url.pathname !== '/__fixtures/pixel.png') return res.writeHead(404).end()
      return res.writeHead(200, { 'content-type': 'image/png' }).end(PIXEL_PNG)
    }

    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: parseJson(text),
    }
    const keys = protocol.keys(request).filter((k): k is string => !!k)
    for (const k of new Set(keys)) received.set(k, [...(received.get(k) ?? []), request])

    const invalid = protocol.validate(request)
    if (invalid) return send(res, invalid)
    const step: ScriptedResponse = keys.map((k) => queues.get(k)?.shift()).find(Boolean) ?? {}
    if (step.delayMs) await sleepUnlessClosed(step.delayMs, res)
    if (res.destroyed) return
    if (step.disconnect) return void req.socket.end()
    const status = step.status ?? 200
    const reply =
      step.body !== undefined
        ? { status, body: step.body }
        : status >= 400
          ? protocol.error(status, step, request)
          : protocol.answer(request, step)
    send(res, { ...reply, headers: { ...reply.headers, ...step.headers } })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: String(error) } })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function send(res: ServerResponse, reply: Reply) {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(text)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (text += chunk))
    req.on('end', () => resolve(text))
    req.on('error', reject)
  })
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return text
  }
}

function sleepUnlessClosed(ms: number, res: ServerResponse) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    res.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

// Helpers the protocols share to build plausible answers.

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** About four characters per token, at least one. */
export const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4))

/** A value satisfying a JSON schema's types, with every property filled in. */
export function sampleFromSchema(schema: unknown, name = 'value'): unknown {
  if (!isObject(schema)) return `sample ${name}`
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  if (Array.isArray(schema.enum)) return schema.enum[0]
  if (type === 'object' || isObject(schema.properties)) {
    const properties = isObject(schema.properties) ? schema.properties : {}
    return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, sampleFromSchema(v, k)]))
  }
  if (type === 'array') return [sampleFromSchema(schema.items, name)]
  if (type === 'number' || type === 'integer') return 1
  if (type === 'boolean') return true
  return `sample ${name}`
}

/** A deterministic unit vector for a text. */
export function vectorFor(text: string, dimensions: number): number[] {
  const values: number[] = []
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest()
    for (let i = 0; i < digest.length && values.length < dimensions; i++) values.push(digest[i]! / 127.5 - 1)
  }
  const norm = Math.hypot(...values) || 1
  return values.map((v) => Number((v / norm).toFixed(6)))
}

/** A deterministic number in [0, 1) for a text. */
export function scoreFor(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 0x1_0000_0000
}

/** The text of a chat message's content, string or parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('')
}
