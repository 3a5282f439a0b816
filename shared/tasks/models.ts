// Default models per provider, shared by the tasks of each kind.
import type { ProviderSlug } from './types'

type Models = Partial<Record<ProviderSlug, string>>

export const CHAT_MODELS: Models = {
  'workers-ai': '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku-latest',
  simulated: 'simulated-1',
}

/** Anthropic has no embeddings API. */
export const EMBED_MODELS: Models = {
  'workers-ai': '@cf/baai/bge-base-en-v1.5',
  openai: 'text-embedding-3-small',
  simulated: 'simulated-embed-1',
}

/** Chat models that read images. */
export const VISION_MODELS: Models = {
  'workers-ai': '@cf/meta/llama-3.2-11b-vision-instruct',
  openai: 'gpt-4o-mini',
  simulated: 'simulated-1',
}

/** Image classifiers (ImageNet labels); OpenAI and Anthropic have none. */
export const IMAGE_CLASSIFY_MODELS: Models = {
  'workers-ai': '@cf/microsoft/resnet-50',
  simulated: 'simulated-classify-1',
}
