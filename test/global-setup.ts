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

/** Serves JSON Web Key Sets that tests publish with PUT and identity checks fetch with GET. */
function startJwksHost() {
  const sets = new Map<string, string>()
  return createServer((req, res) => {
    const path = req.url ?? '/'
    if (req.method === 'PUT') {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        sets.set(path, body)
        res.writeHead(204).end()
      })
      return
    }
    const set = sets.get(path)
    if (!set) return res.writeHead(404).end()
    res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' }).end(set)
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
