// The OpenAI-compatible surface, mounted at /openai/v1: API keys (or any of our credentials)
// authenticate and the plan's rate limits apply as on /v1, and every error, from the body size
// and credential checks to an unknown path, answers in OpenAI's error shape so OpenAI's SDKs read it.
import { except } from 'hono/combine'
import { handleOpenAIError, unknownRoute } from '../../../openai/errors'
import { authenticate } from '../../middleware/authenticate'
import { bodySizeLimit } from '../../middleware/body-size-limit'
import { rateLimit } from '../../middleware/rate-limit'
import { createRouter } from '../../openapi'
import { openaiBatchRoutes } from './batches'
import { openaiFileRoutes } from './files'
import { openaiInferenceRoutes } from './inference'

export const openaiRoutes = createRouter()
openaiRoutes.onError(handleOpenAIError)
openaiRoutes.use(
  '*',
  // Uploads stream to R2 under MAX_UPLOAD_BYTES instead.
  except(
    (c) => c.req.method === 'POST' && c.req.path === '/openai/v1/files',
    bodySizeLimit({ maxBytes: (env) => Number(env.MAX_JSON_BYTES) }),
  ),
  authenticate(),
  rateLimit(),
)
openaiRoutes.route('/files', openaiFileRoutes)
openaiRoutes.route('/batches', openaiBatchRoutes)
openaiRoutes.route('/', openaiInferenceRoutes)
openaiRoutes.all('*', (c) => {
  throw unknownRoute(c.req.method, c.req.path)
})
