// The OpenAI-compatible surface, mounted at /openai/v1: API keys (or any of our credentials)
// authenticate and the plan's rate limits apply as on /v1, and every error, from the credential
// check to an unknown path, answers in OpenAI's error shape so OpenAI's SDKs read it.
import { handleOpenAIError, unknownRoute } from '../../../openai/errors'
import { authenticate } from '../../middleware/authenticate'
import { rateLimit } from '../../middleware/rate-limit'
import { createRouter } from '../../openapi'
import { openaiBatchRoutes } from './batches'
import { openaiFileRoutes } from './files'
import { openaiInferenceRoutes } from './inference'

export const openaiRoutes = createRouter()
openaiRoutes.onError(handleOpenAIError)
openaiRoutes.use('*', authenticate(), rateLimit())
openaiRoutes.route('/files', openaiFileRoutes)
openaiRoutes.route('/batches', openaiBatchRoutes)
openaiRoutes.route('/', openaiInferenceRoutes)
openaiRoutes.all('*', (c) => {
  throw unknownRoute(c.req.method, c.req.path)
})
