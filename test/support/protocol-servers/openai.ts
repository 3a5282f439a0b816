// A local server speaking the OpenAI API (chat completions and embeddings), for provider and
// router tests. Base URL `…/v1` (provided as `openaiBaseUrl`) requires `Authorization: Bearer
// <key>`; `…/open/v1` accepts requests without a key, as Ollama, vLLM or LM Studio do.
//
//   POST /v1/chat/completions   messages, max_tokens, temperature (0–2), response_format
//                               (json_schema needs json_schema.name ^[a-zA-Z0-9_-]{1,64}$ and schema)
//   POST /v1/embeddings         input: string | string[] (non-empty), optional dimensions
//
// Keys starting with `bad` answer 401 invalid_api_key; malformed requests answer 400 with
// OpenAI's `{ error: { message, type, param, code } }`.
//
// Scripting (see scripting.ts): POST {base}/__script { key, responses } where key is the API key
// or the model, and each response may set `status`, `headers`, `delayMs`, `disconnect`, `body`,
// `message` (of an error), `content` (the reply text), `finishReason`, `refusal`, `usage`.
// GET {base}/__requests?key=K lists what K's requests carried.
// Without a script: chat answers a deterministic sentence, or a JSON object filling every
// property of the requested schema; embeddings answer deterministic unit vectors.
import {
  contentText,
  isObject,
  type Protocol,
  type RecordedRequest,
  type Reply,
  type ScriptedResponse,
  sampleFromSchema,
  startProtocolServer,
  tokens,
  vectorFor,
} from './scripting'

type Problem = { message: string; param?: string; code?: string }

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool']

function error(status: number, problem: Problem, type = 'invalid_request_error'): Reply {
  const { message, param = null, code = null } = problem
  return { status, body: { error: { message, type, param, code } } }
}

const bearer = (request: RecordedRequest) => /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
const route = (request: RecordedRequest) => request.path.replace(/^\/open/, '')

function checkChat(body: Record<string, unknown>): Problem | undefined {
  const { messages, max_tokens, temperature, response_format } = body
  if (!Array.isArray(messages) || messages.length === 0) {
    return {
      message: "Missing required parameter: 'messages'.",
      param: 'messages',
      code: 'missing_required_parameter',
    }
  }
  for (const [i, message] of messages.entries()) {
    const at = `messages[${i}]`
    if (!isObject(message) || !ROLES.includes(String(message.role))) {
      return {
        message: `Invalid value: '${isObject(message) ? message.role : message}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        param: `${at}.role`,
        code: 'invalid_value',
      }
    }
    if (typeof message.content === 'string') continue
    if (!Array.isArray(message.content)) {
      return { message: `Invalid type for '${at}.content'.`, param: `${at}.content`, code: 'invalid_type' }
    }
    for (const [j, part] of message.content.entries()) {
      const pat = `${at}.content[${j}]`
      if (isObject(part) && part.type === 'text' && typeof part.text === 'string') continue
      if (!isObject(part) || part.type !== 'image_url') {
        return {
          message: `Invalid value: '${isObject(part) ? part.type : part}'. Supported values are: 'text' and 'image_url'.`,
          param: `${pat}.type`,
          code: 'invalid_value',
        }
      }
      if (message.role !== 'user') {
        return {
          message: `Image URLs are only allowed for messages with role 'user', but this message with role '${message.role}' contains an image URL.`,
          param: `${at}.content`,
          code: 'invalid_value',
        }
      }
      const url = isObject(part.image_url) ? part.image_url.url : undefined
      if (
        typeof url !== 'string' ||
        !/^(https?:\/\/|data:image\/[a-z+.-]+;base64,[A-Za-z0-9+/=]+$)/.test(url)
      ) {
        return {
          message: `Invalid '${pat}.image_url.url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got an invalid value.`,
          param: `${pat}.image_url.url`,
          code: 'invalid_value',
        }
      }
    }
  }
  if (max_tokens !== undefined && !(Number.isInteger(max_tokens) && Number(max_tokens) >= 1)) {
    return {
      message: `Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got ${max_tokens} instead.`,
      param: 'max_tokens',
      code: 'integer_below_min_value',
    }
  }
  if (
    temperature !== undefined &&
    !(typeof temperature === 'number' && temperature >= 0 && temperature <= 2)
  ) {
    return {
      message: `Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${temperature} instead.`,
      param: 'temperature',
      code: 'decimal_above_max_value',
    }
  }
  if (response_format === undefined) return undefined
  const type = isObject(response_format) ? response_format.type : undefined
  if (!['text', 'json_object', 'json_schema'].includes(String(type))) {
    return {
      message: `Invalid value: '${type}'. Supported values are: 'json_object', 'json_schema', and 'text'.`,
      param: 'response_format.type',
      code: 'invalid_value',
    }
  }
  if (type !== 'json_schema') return undefined
  const spec = isObject(response_format) ? response_format.json_schema : undefined
  if (!isObject(spec) || typeof spec.name !== 'string') {
    return {
      message: "Missing required parameter: 'response_format.json_schema.name'.",
      param: 'response_format.json_schema.name',
      code: 'missing_required_parameter',
    }
  }
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    return {
      message:
        "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
      param: 'response_format.json_schema.name',
      code: 'invalid_value',
    }
  }
  if (!isObject(spec.schema)) {
    return {
      message: "Invalid type for 'response_format.json_schema.schema': expected an object.",
      param: 'response_format.json_schema.schema',
      code: 'invalid_type',
    }
  }
  return undefined
}

function checkEmbeddings(body: Record<string, unknown>): Problem | undefined {
  const input = body.input
  const texts = typeof input === 'string' ? [input] : input
  if (
    !Array.isArray(texts) ||
    texts.length === 0 ||
    !texts.every((t) => typeof t === 'string' && t.length > 0)
  ) {
    return {
      message:
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      param: 'input',
    }
  }
  return undefined
}

function chatAnswer(body: Record<string, unknown>, step: ScriptedResponse): Reply {
  const messages = body.messages as { role: string; content: unknown }[]
  const prompt = messages.map((m) => contentText(m.content)).join('\n')
  const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined
  const lastUser = contentText(messages.filter((m) => m.role === 'user').at(-1)?.content)
  const fallback =
    format?.type === 'json_schema'
      ? JSON.stringify(sampleFromSchema(format.json_schema?.schema))
      : format?.type === 'json_object'
        ? '{}'
        : `Simulated reply to: ${lastUser.slice(0, 80)}`
  const content = step.refusal ? null : typeof step.content === 'string' ? step.content : fallback
  const usage = step.usage ?? {
    input_tokens: tokens(prompt),
    output_tokens: tokens(content ?? step.refusal ?? ''),
  }
  return {
    status: 200,
    body: {
      id: `chatcmpl-${Date.now().toString(36)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: step.refusal ?? null, annotations: [] },
          logprobs: null,
          finish_reason: step.finishReason ?? 'stop',
        },
      ],
      usage: {
        prompt_tokens: usage.input_tokens,
        completion_tokens: usage.output_tokens,
        total_tokens: usage.input_tokens + usage.output_tokens,
      },
    },
  }
}

function embeddingsAnswer(body: Record<string, unknown>, step: ScriptedResponse): Reply {
  const texts = typeof body.input === 'string' ? [body.input] : (body.input as string[])
  const model = String(body.model)
  const dimensions =
    typeof body.dimensions === 'number' ? body.dimensions : model.includes('3-large') ? 3072 : 1536
  const inputTokens = step.usage?.input_tokens ?? tokens(texts.join(' '))
  return {
    status: 200,
    body: {
      object: 'list',
      data: texts.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: vectorFor(text, dimensions),
      })),
      model,
      usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
    },
  }
}

const ERRORS: Record<number, { type: string; message: string; code?: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'invalid_request_error', message: 'Incorrect API key provided.', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', message: 'You are not allowed to sample from this model.' },
  404: {
    type: 'invalid_request_error',
    message: 'The model does not exist or you do not have access to it.',
    code: 'model_not_found',
  },
  429: {
    type: 'requests',
    message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1.',
    code: 'rate_limit_exceeded',
  },
  500: {
    type: 'server_error',
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  503: { type: 'server_error', message: 'The engine is currently overloaded, please try again later.' },
}

export const openaiProtocol: Protocol = {
  keys: (request) => [
    bearer(request),
    isObject(request.body) && typeof request.body.model === 'string' ? request.body.model : undefined,
  ],
  validate(request) {
    const path = route(request)
    if (request.method !== 'POST' || !['/v1/chat/completions', '/v1/embeddings'].includes(path)) {
      return error(404, { message: `Invalid URL (${request.method} ${request.path})` })
    }
    const key = bearer(request)
    if (!key && !request.path.startsWith('/open/')) {
      return error(401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      })
    }
    if (key?.startsWith('bad')) {
      return error(401, {
        message: `Incorrect API key provided: ${key.slice(0, 6)}***.`,
        code: 'invalid_api_key',
      })
    }
    const body = request.body
    if (!isObject(body)) {
      return error(400, {
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
      })
    }
    if (typeof body.model !== 'string' || !body.model) {
      return error(400, { message: 'you must provide a model parameter' })
    }
    const problem = path === '/v1/chat/completions' ? checkChat(body) : checkEmbeddings(body)
    return problem ? error(400, problem) : undefined
  },
  error(status, step) {
    const known = ERRORS[status] ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      message: `HTTP ${status}`,
    }
    return error(status, { message: step.message ?? known.message, code: known.code }, known.type)
  },
  answer(request, step) {
    const body = request.body as Record<string, unknown>
    return route(request) === '/v1/embeddings' ? embeddingsAnswer(body, step) : chatAnswer(body, step)
  },
}

export const startOpenAIServer = () => startProtocolServer(openaiProtocol)
