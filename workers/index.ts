// The one deployable Worker: HTTP API, and the Durable Object classes it binds.
import { createApp } from './api/app'

export { BatchCoordinator } from '../durable-objects/batch-coordinator'
export { TenantCoordinator } from '../durable-objects/tenant-coordinator'

const app = createApp()

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>
