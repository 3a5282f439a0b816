// The one deployable Worker: HTTP API, queue consumers, and the Durable Object classes it binds.
import { createApp } from './api/app'
import { consumeTasks } from './consumers/tasks'
import { consumeDeadTasks } from './consumers/tasks-dead-letter'
import { consumeWebhooks } from './webhooks/consumer'
import { consumeDeadWebhooks } from './webhooks/dead-letter'

export { AccessThrottle } from '../durable-objects/access-throttle'
export { BatchCoordinator } from '../durable-objects/batch-coordinator'
export { ResponseCache } from '../durable-objects/response-cache'
export { TenantCoordinator } from '../durable-objects/tenant-coordinator'

const app = createApp()

/** Queue names carry an environment suffix (`-staging`); the consumer is chosen by the base name. */
function consumerFor(queue: string) {
  if (queue.startsWith('ia-bulk-tasks-dlq')) return consumeDeadTasks
  if (queue.startsWith('ia-bulk-tasks')) return consumeTasks
  if (queue.startsWith('ia-bulk-webhooks-dlq')) return consumeDeadWebhooks
  if (queue.startsWith('ia-bulk-webhooks')) return consumeWebhooks
  return null
}

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const consume = consumerFor(batch.queue)
    if (!consume) throw new Error(`No consumer for queue ${batch.queue}.`)
    await consume(batch, env)
  },
} satisfies ExportedHandler<Env>
