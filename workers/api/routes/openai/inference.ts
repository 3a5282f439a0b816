// /openai/v1/chat/completions and /openai/v1/embeddings: one request answered now (no streaming).
import {
  CHAT_URL,
  chatCompletionRequestSchema,
  chatCompletionSchema,
  EMBEDDINGS_URL,
  embeddingListSchema,
  embeddingRequestSchema,
} from '../../../../shared/schemas/openai'
import { answerNow } from '../../../openai/realtime'
import { chatCompletion, embeddingList } from '../../../openai/responses'
import { createRouter, json, jsonBody } from '../../openapi'
import { openaiError, openaiRoute } from './route'

const providerErrors = {
  502: openaiError('The provider refused the request or gave no usable answer.'),
  503: openaiError('No provider could answer now; see Retry-After.'),
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
      const { tenantId } = c.get('principal')
      const requestId = c.get('requestId')
      const answer = await answerNow(c.env, {
        tenantId,
        monthlyTaskQuota: c.get('principal').plan.monthlyTaskQuota,
        requestId,
        endpoint: CHAT_URL,
        body,
        present: chatCompletion,
      })
      return c.json(answer, 200)
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
      const { tenantId } = c.get('principal')
      const requestId = c.get('requestId')
      const answer = await answerNow(c.env, {
        tenantId,
        monthlyTaskQuota: c.get('principal').plan.monthlyTaskQuota,
        requestId,
        endpoint: EMBEDDINGS_URL,
        body,
        present: (answered) => embeddingList(answered, body.encoding_format),
      })
      return c.json(answer, 200)
    },
  )
