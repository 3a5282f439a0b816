// Runs in Node (started by test/global-setup.ts): a webhook receiver that tests script and read.
// Each test uses its own box name:
//   PUT  /script/{box}   body { "statuses": [500, 410], "delayMs": 0 } — the next answers, in order
//   POST /hook/{box}     what IA Bulk calls: records method, headers and body, answers the next
//                        scripted status (200 when the script is used up; 3xx with a Location)
//   GET  /received/{box} everything recorded, as JSON
import { createServer, type IncomingMessage } from 'node:http'

export type ReceivedRequest = { method: string; headers: Record<string, string>; body: string; at: number }

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => resolve(body))
  })
}

export function startWebhookReceiver() {
  const scripts = new Map<string, { statuses: number[]; delayMs: number }>()
  const received = new Map<string, ReceivedRequest[]>()
  return createServer(async (req, res) => {
    const [, action, box = ''] = (req.url ?? '/').split('/')
    const body = await readBody(req)
    if (req.method === 'PUT' && action === 'script') {
      const script = JSON.parse(body) as { statuses?: number[]; delayMs?: number }
      scripts.set(box, { statuses: script.statuses ?? [], delayMs: script.delayMs ?? 0 })
      return res.writeHead(204).end()
    }
    if (req.method === 'GET' && action === 'received') {
      return res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(received.get(box) ?? []))
    }
    if (action !== 'hook') return res.writeHead(404).end()
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
    )
    received.set(box, [
      ...(received.get(box) ?? []),
      { method: req.method ?? '', headers, body, at: Date.now() },
    ])
    const script = scripts.get(box)
    const status = script?.statuses.shift() ?? 200
    if (script?.delayMs) await new Promise((resolve) => setTimeout(resolve, script.delayMs))
    const location = status >= 300 && status < 400 ? { Location: `/hook/${box}-moved` } : undefined
    res.writeHead(status, location).end(status < 300 ? 'ok' : 'no')
  })
}
