// A tenant who deletes a provider key expects no further calls with it. A batch created to run a
// provider on the tenant's key finds, per chunk, whether that key still exists; when it does not,
// the provider is this stand-in rather than the platform's key for it.
import { type ModelCall, type Provider, ProviderError } from '../provider'

const CALL_KINDS: readonly ModelCall['kind'][] = [
  'chat',
  'embed',
  'classify_text',
  'classify_image',
  'detect_objects',
]

/** Every call fails with `provider_key_deleted`, not retryably: the router goes on to the next target. */
export function keyDeletedProvider(slug: string): Provider {
  return {
    slug,
    supports: CALL_KINDS,
    async generate() {
      throw new ProviderError(
        'provider_key_deleted',
        `Your ${slug} key was deleted after this batch was created; the batch uses no other key for ${slug}.`,
        false,
      )
    },
  }
}
