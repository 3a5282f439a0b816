// Runs in Node before the workerd tests: starts local HTTP servers that tests reach over the
// loopback network, as a deployed Worker would reach a real identity provider.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'
import { startProtocolServers } from './support/protocol-servers'
import { startWebhookReceiver } from './webhooks/receiver-server'

declare module 'vitest' {
  export interface ProvidedContext {
    jwksHostUrl: string
    /** The scriptable webhook receiver: see test/webhooks/receiver-server.ts. */
    webhookReceiverUrl: string
    /** Model provider protocol servers: see test/support/protocol-servers/. */
    openaiBaseUrl: string
    anthropicBaseUrl: string
    workersAiBaseUrl: string
  }
}

/**
 * Serves what tests publish with PUT (JSON Web Key Sets, images) at the path they PUT it to, and
 * counts the GETs of each path: `GET /__hits/<path>` answers `{ "hits": n }`. A PUT with
 * `x-redirect-to: <url>` makes the path answer 302 to that URL; with `x-status: <n>`, answer n.
 */
function startJwksHost() {
  type Published = { body: Buffer; type: string; status: number; location?: string }
  const published = new Map<string, Published>()
  const hits = new Map<string, number>()
  return createServer((req, res) => {
    const path = req.url ?? '/'
    if (req.method === 'PUT') {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const location = req.headers['x-redirect-to'] as string | undefined
        published.set(path, {
          body: Buffer.concat(chunks),
          type: req.headers['content-type'] ?? 'application/jwk-set+json',
          status: location ? 302 : Number(req.headers['x-status'] ?? 200),
          location,
        })
        res.writeHead(204).end()
      })
      return
    }
    if (path.startsWith('/__hits/')) {
      const counted = hits.get(path.slice('/__hits'.length)) ?? 0
      return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ hits: counted }))
    }
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const item = published.get(path)
    if (!item) return res.writeHead(404).end()
    if (item.location) return res.writeHead(item.status, { Location: item.location }).end()
    res.writeHead(item.status, { 'Content-Type': item.type }).end(item.body)
  })
}

export default async function setup(project: TestProject) {
  const server = startJwksHost()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  project.provide('jwksHostUrl', `http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  const stopProtocolServers = await startProtocolServers(project)
  const receiver = startWebhookReceiver()
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  project.provide('webhookReceiverUrl', `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`)
  return async () => {
    await stopProtocolServers()
    await new Promise<void>((resolve) => receiver.close(() => resolve()))
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
