// Workers AI through the `AI` binding (or `aiOverRest`): chat and vision, JSON mode, embeddings,
// text and image classification, object detection. The binding reports no model name, so the
// result names the model asked for; usage is estimated where the model reports none.
import { env as deploymentEnv } from 'cloudflare:workers'
import type { UrlGuardEnv } from '../../../../shared/net/url-guard'
import { estimateTokens, type Provider, type ProviderRequest, type ProviderResult } from '../../provider'
import type { AiRunner } from './api'
import { chatImage, chatInputs, chatResult } from './chat'
import { labelsResult, objectsResult } from './classify'
import { embedInputs, embedResult } from './embed'
import { bindingError } from './errors'
import { imageBytes } from './image'

export type { AiRunner } from './api'
export { aiOverRest } from './rest-binding'

export type WorkersAiProviderOptions = {
  ai: AiRunner
  /** The settings image URLs are guarded under (the loopback flag); the deployment's env by default. */
  imageGuard?: UrlGuardEnv
}

const NO_USAGE = { input_tokens: 0, output_tokens: 0 }

/** @example workersAiProvider({ ai: env.AI }) */
export function workersAiProvider({ ai, imageGuard = deploymentEnv }: WorkersAiProviderOptions): Provider {
  const slug = 'workers-ai'

  async function run(request: ProviderRequest, inputs: Record<string, unknown>): Promise<unknown> {
    try {
      return await ai.run(request.model, inputs, { signal: request.signal })
    } catch (error) {
      throw bindingError(error, request.signal)
    }
  }

  async function generate(request: ProviderRequest): Promise<Omit<ProviderResult, 'provider' | 'model'>> {
    const { call, signal } = request
    switch (call.kind) {
      case 'chat': {
        const image = chatImage(call)
        const bytes = image && (await imageBytes(image, signal, imageGuard))
        return chatResult(await run(request, chatInputs(call, bytes)), call)
      }
      case 'embed':
        return embedResult(await run(request, embedInputs(call.texts)), call.texts)
      case 'classify_text':
        return {
          output: labelsResult(await run(request, { text: call.text })),
          usage: { input_tokens: estimateTokens(call.text), output_tokens: 0 },
        }
      case 'classify_image':
        return {
          output: labelsResult(
            await run(request, { image: await imageBytes(call.image, signal, imageGuard) }),
          ),
          usage: NO_USAGE,
        }
      case 'detect_objects':
        return {
          output: objectsResult(
            await run(request, { image: await imageBytes(call.image, signal, imageGuard) }),
          ),
          usage: NO_USAGE,
        }
    }
  }

  return {
    slug,
    supports: ['chat', 'embed', 'classify_text', 'classify_image', 'detect_objects'],
    async generate(request) {
      return { ...(await generate(request)), provider: slug, model: request.model }
    },
  }
}
