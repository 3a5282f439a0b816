// A local server speaking the Workers AI REST API, for tests that drive the Workers AI provider
// through `aiOverRest`. Base URL `…/client/v4` (provided as `workersAiBaseUrl`); the endpoint is
// POST /client/v4/accounts/{account}/ai/run/{model}, answering Cloudflare's envelope
// `{ result, success, errors: [{ code, message }], messages }`.
//
// `Authorization: Bearer <token>` is required (missing or starting with `bad` → 401, code 10000).
// Models, by name:
//   @cf/baai/bge-*                         { text: string | string[] } → { shape, data, pooling }
//   @cf/huggingface/distilbert-sst-2-int8  { text: string } → [{ label, score }] (NEGATIVE, POSITIVE)
//   @cf/microsoft/resnet-50                { image: bytes } → top-5 [{ label, score }]
//   @cf/facebook/detr-resnet-50            { image: bytes } → [{ label, score, box }]
//   any other @cf/ or @hf/ model           text generation: { messages | prompt, max_tokens?,
//       temperature? (0–5), response_format? { type: json_schema, json_schema } } → { response,
//       usage }; with JSON mode `response` is an object; `image` (bytes) only on *vision* models
// Image bytes must be integers 0–255 that start like a PNG, JPEG, GIF or WebP file. Bad input
// answers 400 with code 5006, an unknown model 400 with code 5007.
//
// Scripting (see scripting.ts): POST {base}/__script { key, responses } where key is the API
// token or the model name, and each response may set `status`, `headers`, `delayMs`,
// `disconnect`, `body`, `message` and `errorCode` (of an error envelope), `content` (text
// generation `response`), `result` (the whole result), `usage`. GET {base}/__requests?key=K.
import {
  contentText,
  isObject,
  type Protocol,
  type RecordedRequest,
  type Reply,
  type ScriptedResponse,
  sampleFromSchema,
  scoreFor,
  startProtocolServer,
  tokens,
  vectorFor,
} from './scripting'

const RUN = /^\/client\/v4\/accounts\/([^/]+)\/ai\/run\/(.+)$/

function envelope(status: number, result: unknown, errors: { code: number; message: string }[] = []): Reply {
  return { status, body: { result, success: errors.length === 0, errors, messages: [] } }
}
const failure = (status: number, code: number, message: string) => envelope(status, null, [{ code, message }])
const badInput = (detail: string) => failure(400, 5006, `AiError: Bad input: Error: ${detail}`)

const modelOf = (request: RecordedRequest) => {
  const match = RUN.exec(request.path)?.[2]
  return match && decodeURIComponent(match)
}
const token = (request: RecordedRequest) => /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]

type Kind = 'embed' | 'classify_text' | 'classify_image' | 'detect' | 'generate'
function kindOf(model: string): Kind | undefined {
  if (model.startsWith('@cf/baai/bge-')) return 'embed'
  if (model === '@cf/huggingface/distilbert-sst-2-int8') return 'classify_text'
  if (model === '@cf/microsoft/resnet-50') return 'classify_image'
  if (model === '@cf/facebook/detr-resnet-50') return 'detect'
  if (/^@(cf|hf)\/[^/]+\/[^/]+$/.test(model)) return 'generate'
  return undefined
}

const isImage = (bytes: number[]) =>
  [
    [0x89, 0x50, 0x4e, 0x47], // PNG
    [0xff, 0xd8, 0xff], // JPEG
    [0x47, 0x49, 0x46, 0x38], // GIF
    [0x52, 0x49, 0x46, 0x46], // RIFF (WebP)
  ].some((magic) => magic.every((byte, i) => bytes[i] === byte))

function checkImage(image: unknown): string | undefined {
  if (!Array.isArray(image) || image.length === 0)
    return "Type mismatch of '/image', expected an array of bytes"
  if (!image.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return "'/image' items must be integers between 0 and 255"
  }
  return isImage(image) ? undefined : 'Image could not be decoded'
}

function checkGenerate(model: string, body: Record<string, unknown>): string | undefined {
  const { messages, prompt, image, max_tokens, temperature, response_format } = body
  if (messages === undefined && typeof prompt !== 'string') {
    return "oneOf at '/' not met, 0 matches: required properties at '/' are 'prompt'; required properties at '/' are 'messages'"
  }
  if (messages !== undefined) {
    if (!Array.isArray(messages) || messages.length === 0)
      return "Type mismatch of '/messages', 'object' not in 'array'"
    for (const [i, m] of messages.entries()) {
      if (!isObject(m) || typeof m.role !== 'string')
        return `required properties at '/messages/${i}' are 'role'`
      if (typeof m.content !== 'string') return `Type mismatch of '/messages/${i}/content', expected 'string'`
    }
  }
  if (image !== undefined) {
    if (!model.includes('vision')) return `additional property 'image' not allowed for ${model}`
    const problem = typeof image === 'string' ? undefined : checkImage(image)
    if (problem) return problem
  }
  if (max_tokens !== undefined && !(Number.isInteger(max_tokens) && Number(max_tokens) >= 1)) {
    return "'/max_tokens' must be an integer >= 1"
  }
  if (
    temperature !== undefined &&
    !(typeof temperature === 'number' && temperature >= 0 && temperature <= 5)
  ) {
    return "'/temperature' must be <= 5"
  }
  if (response_format !== undefined) {
    if (
      !isObject(response_format) ||
      !['json_object', 'json_schema'].includes(String(response_format.type))
    ) {
      return "'/response_format/type' must be one of 'json_object', 'json_schema'"
    }
    if (response_format.type === 'json_schema' && !isObject(response_format.json_schema)) {
      return "'/response_format/json_schema' must be a JSON schema object"
    }
  }
  return undefined
}

function check(model: string, body: Record<string, unknown>): string | undefined {
  switch (kindOf(model)) {
    case 'embed': {
      const texts = typeof body.text === 'string' ? [body.text] : body.text
      return Array.isArray(texts) && texts.length > 0 && texts.every((t) => typeof t === 'string')
        ? undefined
        : "required properties at '/' are 'text'"
    }
    case 'classify_text':
      return typeof body.text === 'string' ? undefined : "required properties at '/' are 'text'"
    case 'classify_image':
    case 'detect':
      return checkImage(body.image)
    default:
      return checkGenerate(model, body)
  }
}

const IMAGE_LABELS = ['EGYPTIAN CAT', 'TABBY', 'TIGER CAT', 'LYNX', 'PERSIAN CAT']
const OBJECT_LABELS = ['person', 'bottle', 'cup']

function defaultResult(model: string, body: Record<string, unknown>, step: ScriptedResponse): unknown {
  switch (kindOf(model)) {
    case 'embed': {
      const texts = typeof body.text === 'string' ? [body.text] : (body.text as string[])
      const dimensions = model.includes('small')
        ? 384
        : model.includes('large') || model.includes('m3')
          ? 1024
          : 768
      return {
        shape: [texts.length, dimensions],
        data: texts.map((t) => vectorFor(t, dimensions)),
        pooling: 'mean',
      }
    }
    case 'classify_text': {
      const positive = Number(scoreFor(String(body.text)).toFixed(6))
      return [
        { label: 'NEGATIVE', score: Number((1 - positive).toFixed(6)) },
        { label: 'POSITIVE', score: positive },
      ].sort((a, b) => b.score - a.score)
    }
    case 'classify_image':
      return IMAGE_LABELS.map((label, i) => ({ label, score: Number((0.6 / (i + 1)).toFixed(6)) }))
    case 'detect':
      return OBJECT_LABELS.map((label, i) => ({
        label,
        score: Number((0.99 - i * 0.1).toFixed(6)),
        box: { xmin: 10 * i, ymin: 5 * i, xmax: 10 * i + 40, ymax: 5 * i + 60 },
      }))
    default: {
      const messages = (body.messages as { content: string }[] | undefined) ?? [
        { content: String(body.prompt) },
      ]
      const format = body.response_format as { type?: string; json_schema?: unknown } | undefined
      const response =
        step.content ??
        (format
          ? sampleFromSchema(format.json_schema)
          : `Simulated reply to: ${contentText(messages.at(-1)?.content).slice(0, 80)}`)
      const prompt = messages.map((m) => m.content).join('\n')
      const usage = step.usage ?? {
        input_tokens: tokens(prompt),
        output_tokens: tokens(JSON.stringify(response)),
      }
      return {
        response,
        tool_calls: [],
        usage: {
          prompt_tokens: usage.input_tokens,
          completion_tokens: usage.output_tokens,
          total_tokens: usage.input_tokens + usage.output_tokens,
        },
      }
    }
  }
}

const ERRORS: Record<number, [code: number, message: string]> = {
  400: [5006, 'AiError: Bad input'],
  401: [10000, 'Authentication error'],
  403: [5018, 'AiError: The account is not allowed to access this model'],
  404: [3042, 'AiError: The model name is invalid'],
  408: [3007, 'AiError: Request timeout'],
  413: [3006, 'AiError: Request is too large'],
  429: [3040, 'AiError: Capacity temporarily exceeded, please try again.'],
}

export const workersAiProtocol: Protocol = {
  keys: (request) => [token(request), modelOf(request)],
  validate(request) {
    const model = modelOf(request)
    if (request.method !== 'POST' || !model) {
      return failure(
        404,
        7003,
        `Could not route to ${request.path}, perhaps your object identifier is invalid?`,
      )
    }
    const key = token(request)
    if (!key || key.startsWith('bad')) return failure(401, 10000, 'Authentication error')
    if (!kindOf(model)) return failure(400, 5007, `AiError: No such model ${model} or task`)
    if (!isObject(request.body)) return badInput('request body is not a JSON object')
    const problem = check(model, request.body)
    return problem ? badInput(problem) : undefined
  },
  error(status, step) {
    const [code, message] = ERRORS[status] ?? [3043, 'AiError: Internal server error']
    return failure(status, step.errorCode ?? code, step.message ?? message)
  },
  answer(request, step) {
    const body = request.body as Record<string, unknown>
    return envelope(200, step.result ?? defaultResult(modelOf(request)!, body, step))
  },
}

export const startWorkersAiServer = () => startProtocolServer(workersAiProtocol)
