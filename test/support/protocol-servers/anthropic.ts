// A local server speaking the Anthropic Messages API, for provider and router tests. Base URL
// `http://127.0.0.1:<port>` (provided as `anthropicBaseUrl`); the one endpoint is POST /v1/messages.
//
// Checks what the real API checks: `x-api-key` (missing or starting with `bad` → 401
// authentication_error), `anthropic-version` (missing → 400), `model`, `max_tokens` ≥ 1,
// `messages` with roles user/assistant only (a "system" role is rejected as the real API does),
// text and image blocks (base64 with an image media type, or url), temperature 0–1, `system`,
// `tools` (name ^[a-zA-Z0-9_-]{1,64}$, object input_schema) and `tool_choice`. Errors use
// `{ type: 'error', error: { type, message }, request_id }`; 529 is overloaded_error.
//
// Scripting (see scripting.ts): POST {base}/__script { key, responses } where key is the API key
// or the model, and each response may set `status`, `headers`, `delayMs`, `disconnect`, `body`,
// `message` (of an error), `content` (reply text), `toolInput` (input of the forced tool),
// `finishReason` (stop_reason, e.g. 'refusal'), `usage`. GET {base}/__requests?key=K lists requests.
// Without a script: a text reply, or with tool_choice {type:'tool'} a tool_use block whose input
// fills every property of the tool's input_schema.
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
} from './scripting'

const MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp']
const VERSIONS = ['2023-06-01', '2023-01-01']
let counter = 0
const id = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}${(++counter).toString(36).padStart(6, '0')}`

function error(status: number, type: string, message: string): Reply {
  const requestId = id('req')
  return {
    status,
    headers: { 'request-id': requestId },
    body: { type: 'error', error: { type, message }, request_id: requestId },
  }
}

function checkBlock(block: unknown, at: string): string | undefined {
  if (!isObject(block)) return `${at}: Input should be a valid dictionary or object to extract fields from`
  if (block.type === 'text') return typeof block.text === 'string' ? undefined : `${at}.text: Field required`
  if (block.type !== 'image')
    return `${at}.type: Input tag '${block.type}' found using 'type' does not match any of the expected tags`
  const source = block.source
  if (!isObject(source)) return `${at}.source: Field required`
  if (source.type === 'url')
    return typeof source.url === 'string' ? undefined : `${at}.source.url.url: Field required`
  if (source.type !== 'base64')
    return `${at}.source: Input tag '${source.type}' found using 'type' does not match any of the expected tags: 'base64', 'url'`
  if (!MEDIA_TYPES.includes(String(source.media_type))) {
    return `${at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`
  }
  return typeof source.data === 'string' && /^[A-Za-z0-9+/=]+$/.test(source.data)
    ? undefined
    : `${at}.source.base64.data: The image data is not valid base64`
}

function checkBody(body: Record<string, unknown>): string | undefined {
  const { model, max_tokens, messages, system, temperature, tools, tool_choice } = body
  if (typeof model !== 'string' || !model) return 'model: Field required'
  if (max_tokens === undefined) return 'max_tokens: Field required'
  if (!Number.isInteger(max_tokens) || Number(max_tokens) < 1)
    return 'max_tokens: Input should be greater than or equal to 1'
  if (!Array.isArray(messages)) return 'messages: Field required'
  if (messages.length === 0) return 'messages: at least one message is required'
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) return `messages.${i}: Input should be a valid dictionary`
    if (message.role === 'system') {
      return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.'
    }
    if (message.role !== 'user' && message.role !== 'assistant')
      return `messages.${i}.role: Input should be 'user' or 'assistant'`
    if (typeof message.content === 'string') continue
    if (!Array.isArray(message.content)) return `messages.${i}.content: Input should be a valid list`
    for (const [j, block] of message.content.entries()) {
      const problem = checkBlock(block, `messages.${i}.content.${j}`)
      if (problem) return problem
    }
  }
  if (system !== undefined && typeof system !== 'string' && !Array.isArray(system))
    return 'system: Input should be a valid string'
  if (
    temperature !== undefined &&
    !(typeof temperature === 'number' && temperature >= 0 && temperature <= 1)
  ) {
    return 'temperature: Input should be less than or equal to 1'
  }
  const names: string[] = []
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'tools: Input should be a valid list'
    for (const [i, tool] of tools.entries()) {
      if (!isObject(tool) || typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) {
        return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`
      }
      if (!isObject(tool.input_schema) || tool.input_schema.type !== 'object') {
        return `tools.${i}.custom.input_schema: Input schema must be a JSON Schema object with type 'object'`
      }
      names.push(tool.name)
    }
  }
  if (tool_choice !== undefined) {
    if (!isObject(tool_choice) || !['auto', 'any', 'tool', 'none'].includes(String(tool_choice.type))) {
      return "tool_choice: Input tag found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
    }
    if (tool_choice.type === 'tool' && !names.includes(String(tool_choice.name))) {
      return `tool_choice.tool.name: Tool '${tool_choice.name}' not found in provided tools`
    }
  }
  return undefined
}

function answer(body: Record<string, unknown>, step: ScriptedResponse): Reply {
  const messages = body.messages as { role: string; content: unknown }[]
  const system = typeof body.system === 'string' ? body.system : contentText(body.system)
  const prompt = [system, ...messages.map((m) => contentText(m.content))].join('\n')
  const choice = body.tool_choice as { type?: string; name?: string } | undefined
  const tool =
    choice?.type === 'tool' && typeof step.content !== 'string'
      ? (body.tools as { name: string; input_schema: unknown }[]).find((t) => t.name === choice.name)
      : undefined
  const lastUser = contentText(messages.filter((m) => m.role === 'user').at(-1)?.content)
  const content = tool
    ? [
        {
          type: 'tool_use',
          id: id('toolu'),
          name: tool.name,
          input: step.toolInput ?? sampleFromSchema(tool.input_schema),
        },
      ]
    : [
        {
          type: 'text',
          text:
            typeof step.content === 'string' ? step.content : `Simulated reply to: ${lastUser.slice(0, 80)}`,
        },
      ]
  const usage = step.usage ?? { input_tokens: tokens(prompt), output_tokens: tokens(JSON.stringify(content)) }
  return {
    status: 200,
    headers: { 'request-id': id('req') },
    body: {
      id: id('msg'),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: step.finishReason ?? (tool ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  }
}

const ERRORS: Record<number, [type: string, message: string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of requests has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
}

const apiKey = (request: RecordedRequest) => request.headers['x-api-key']

export const anthropicProtocol: Protocol = {
  keys: (request) => [
    apiKey(request),
    isObject(request.body) && typeof request.body.model === 'string' ? request.body.model : undefined,
  ],
  validate(request) {
    if (request.method !== 'POST' || request.path !== '/v1/messages')
      return error(404, 'not_found_error', 'Not Found')
    const key = apiKey(request)
    if (!key) return error(401, 'authentication_error', 'x-api-key header is required')
    if (key.startsWith('bad')) return error(401, 'authentication_error', 'invalid x-api-key')
    const version = request.headers['anthropic-version']
    if (!version) return error(400, 'invalid_request_error', 'anthropic-version: header is required')
    if (!VERSIONS.includes(version))
      return error(400, 'invalid_request_error', `anthropic-version: invalid version '${version}'`)
    if (!isObject(request.body))
      return error(
        400,
        'invalid_request_error',
        'There was an error parsing the body of your request as JSON.',
      )
    const problem = checkBody(request.body)
    return problem ? error(400, 'invalid_request_error', problem) : undefined
  },
  error(status, step) {
    const [type, message] = ERRORS[status] ?? [
      status >= 500 ? 'api_error' : 'invalid_request_error',
      `HTTP ${status}`,
    ]
    return error(status, type, step.message ?? message)
  },
  answer: (request, step) => answer(request.body as Record<string, unknown>, step),
}

export const startAnthropicServer = () => startProtocolServer(anthropicProtocol)
