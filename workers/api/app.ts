// The Hono app: cross-cutting middleware, then one sub-app per resource.
import { except } from 'hono/combine'
import { secureHeaders } from 'hono/secure-headers'
import { hookRoutes } from '../hooks/routes'
import { renderDocsPage } from './docs-page'
import { handleError, handleNotFound } from './error-handler'
import { authenticate } from './middleware/authenticate'
import { bodySizeLimit } from './middleware/body-size-limit'
import { corsFromEnv } from './middleware/cors-from-env'
import { jsonLogger } from './middleware/json-logger'
import { rateLimit } from './middleware/rate-limit'
import { requestId } from './middleware/request-id'
import { createRouter } from './openapi'
import { auditRoutes } from './routes/audit'
import { authRoutes } from './routes/auth'
import { batchOutputRoutes } from './routes/batch-output'
import { batchRoutes } from './routes/batches'
import { brandRoutes } from './routes/brand'
import { fileRoutes } from './routes/files'
import { generateRoutes } from './routes/generate'
import { healthRoutes } from './routes/health'
import { integrationRoutes } from './routes/integrations'
import { invitationRoutes } from './routes/invitations'
import { keyRoutes } from './routes/keys'
import { meRoutes } from './routes/me'
import { memberRoutes } from './routes/members'
import { modelRouteRoutes } from './routes/model-routes'
import { openaiRoutes } from './routes/openai'
import { planningRoutes } from './routes/planning'
import { providerKeyRoutes } from './routes/provider-keys'
import { taskRoutes } from './routes/tasks'
import { templateRoutes } from './routes/templates'
import { tenantRoutes } from './routes/tenant'
import { usageRoutes } from './routes/usage'
import { webhookDeliveryRoutes } from './routes/webhook-deliveries'
import { webhookRoutes } from './routes/webhooks'

const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'IA Bulk',
    version: '0.1.0',
    description:
      'Marketing AI tasks at bulk scale: batches of thousands to millions of tasks, results as files.',
  },
}

export function createApp() {
  const app = createRouter()
  app.onError(handleError)
  app.notFound(handleNotFound)

  app.use(
    '*',
    requestId(),
    jsonLogger(),
    secureHeaders(),
    corsFromEnv(),
    // Uploads stream to R2 under their own, much larger limit (MAX_UPLOAD_BYTES); /openai/v1 applies
    // this limit itself, to refuse in OpenAI's error shape.
    except(
      (c) => (c.req.method === 'POST' && c.req.path === '/v1/files') || c.req.path.startsWith('/openai/v1/'),
      bodySizeLimit({ maxBytes: (env) => Number(env.MAX_JSON_BYTES) }),
    ),
  )
  app.use('/v1/*', except(['/v1/auth/*', '/v1/invitations/accept'], authenticate(), rateLimit()))

  app.route('/', healthRoutes)
  app.route('/v1/auth', authRoutes)
  app.route('/v1/me', meRoutes)
  app.route('/v1/tenant', tenantRoutes)
  app.route('/v1/keys', keyRoutes)
  app.route('/v1/members', memberRoutes)
  app.route('/v1/invitations', invitationRoutes)
  app.route('/v1/audit-log', auditRoutes)
  app.route('/v1/files', fileRoutes)
  app.route('/v1/brand', brandRoutes)
  app.route('/v1/templates', templateRoutes)
  app.route('/v1/tasks', taskRoutes)
  app.route('/v1/routes', modelRouteRoutes)
  app.route('/v1/provider-keys', providerKeyRoutes)
  app.route('/v1/generate', generateRoutes)
  app.route('/v1/usage', usageRoutes)
  app.route('/v1', planningRoutes)
  app.route('/v1/batches', batchRoutes)
  app.route('/v1/batches', batchOutputRoutes)
  app.route('/v1/webhooks', webhookRoutes)
  app.route('/v1/webhooks', webhookDeliveryRoutes)
  app.route('/v1/integrations', integrationRoutes)
  // OpenAI's shapes for OpenAI's SDKs: authenticates and rate-limits inside, so errors take OpenAI's shape.
  app.route('/openai/v1', openaiRoutes)
  // Inbound hooks authenticate by their senders' signatures, not by API keys.
  app.route('/hooks', hookRoutes)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (`iab_sk_…`), an access token from /v1/auth/token, or a token from the tenant’s OIDC issuer.',
  })
  app.doc31('/openapi.json', OPENAPI_INFO)
  app.get('/docs', (c) => c.html(renderDocsPage(app.getOpenAPI31Document(OPENAPI_INFO))))
  return app
}
