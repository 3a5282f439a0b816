// /openai/v1/chat/completions and /openai/v1/embeddings: one request answered now (no streaming).
import type { Context } from 'hono'
import {
  CHAT_URL,
  chatCompletionRequestSchema,
  chatCompletionSchema,
  EMBEDDINGS_URL,
  embeddingListSchema,
  embeddingRequestSchema,
  type OpenAIEndpoint,
} from '../../../../shared/schemas/openai'
import { answerNow } from '../../../openai/realtime'
import { type Answered, chatCompletion, embeddingList } from '../../../openai/responses'
import type { AppEnv } from '../../context'
import { createRouter, json, jsonBody } from '../../openapi'
import { openaiError, openaiRoute } from './route'

const providerErrors = {
  502: openaiError('The provider refused the request or gave no usable answer.'),
  503: openaiError('No provider could answer now; see Retry-After.'),
}

/** Runs the caller's request now, within its plan's monthly task quota. */
function answerCaller<T>(
  c: Context<AppEnv>,
  request: { endpoint: OpenAIEndpoint; body: { model: string }; present: (answered: Answered) => T },
): Promise<T> {
  const { tenantId, plan } = c.get('principal')
  return answerNow(c.env, {
    tenantId,
    monthlyTaskQuota: plan.monthlyTaskQuota,
    requestId: c.get('requestId'),
    ...request,
  })
}

export const openaiInferenceRoutes = createRouter()
  .openapi(
    openaiRoute('write', {
      method: 'post',
      path: '/chat/completions',
      summary: 'Create a chat completion (`stream: true` is not supported)',
      request: jsonBody(chatCompletionRequestSchema),
      responses: { 200: json(chatCompletionSchema, 'The completion.'), ...providerErrors },
    }),
    async (c) => {
      const body = c.req.valid('json')
      return c.json(await answerCaller(c, { endpoint: CHAT_URL, body, present: chatCompletion }), 200)
    },
  )
  .openapi(
    openaiRoute('write', {
      method: 'post',
      path: '/embeddings',
      summary: 'Create embeddings for a string or an array of strings',
      request: jsonBody(embeddingRequestSchema),
      responses: { 200: json(embeddingListSchema, 'One embedding per input string.'), ...providerErrors },
    }),
    async (c) => {
      const body = c.req.valid('json')
      const present = (answered: Answered) => embeddingList(answered, body.encoding_format)
      return c.json(await answerCaller(c, { endpoint: EMBEDDINGS_URL, body, present }), 200)
    },
  )
