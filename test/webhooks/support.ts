// Helpers for webhook tests: the scriptable Node receiver (test/webhooks/receiver-server.ts),
// endpoints made through the API, and queue messages made by hand so a test sees exactly
// what the consumer does with each one (ack, or retry and with which delay).
import { env } from 'cloudflare:workers'
import { inject, vi } from 'vitest'
import { callJson } from '../support/api'
import type { ReceivedRequest } from './receiver-server'

export const webhooksEnv = env as Env
const receiver = () => inject('webhookReceiverUrl')

let boxes = 0
/** A fresh receiver box: its URL for an endpoint, and ways to script and read it. */
export function receiverBox(label = 'box') {
  const name = `${label}-${Date.now()}-${++boxes}`
  return {
    url: `${receiver()}/hook/${name}`,
    async script(statuses: number[], delayMs = 0) {
      await fetch(`${receiver()}/script/${name}`, {
        method: 'PUT',
        body: JSON.stringify({ statuses, delayMs }),
      })
    },
    async received(): Promise<ReceivedRequest[]> {
      return (await fetch(`${receiver()}/received/${name}`)).json()
    },
    /** Waits until `count` requests arrived (the local queue delivers in the background). */
    async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedRequest[]> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const got = await this.received()
        if (got.length >= count || Date.now() > deadline) return got
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
  }
}

export async function createEndpoint(token: string, json: Record<string, unknown>) {
  return callJson('/v1/webhooks', 201, { method: 'POST', token, json })
}

/** A queue message whose ack / retry calls the test can read. */
export function handMadeMessage(body: unknown, attempts = 1) {
  return {
    id: `m-${Date.now()}-${Math.random()}`,
    timestamp: new Date(),
    body,
    attempts,
    ack: vi.fn(),
    retry: vi.fn<(options?: QueueRetryOptions) => void>(),
  }
}

export function asBatch(...messages: ReturnType<typeof handMadeMessage>[]): MessageBatch<unknown> {
  return {
    queue: 'ia-bulk-webhooks',
    messages: messages as unknown as Message<unknown>[],
    ackAll: vi.fn(),
    retryAll: vi.fn(),
  } as unknown as MessageBatch<unknown>
}
