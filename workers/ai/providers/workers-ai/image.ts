// Workers AI image models take the image as an array of byte values: decode inline base64, or
// fetch a URL through the URL guard (a few redirects, each re-checked; its failures mapped like
// a provider's, since the task cannot run without it).

import type { UrlGuardEnv } from '../../../../shared/net/url-guard'
import type { ImageInput } from '../../../../shared/tasks/model-call'
import { fetchGuarded, readBounded } from '../../../security/guarded-fetch'
import { ProviderError } from '../../provider'
import { statusError, thrownError } from '../http-errors'

const IMAGE_REDIRECTS = 3
/** Longest image read from a URL. */
export const MAX_IMAGE_URL_BYTES = 20 * 1024 * 1024

export async function imageBytes(
  image: ImageInput,
  signal: AbortSignal,
  guard: UrlGuardEnv,
): Promise<number[]> {
  if ('data' in image) return decodeBase64(image.data)
  let response: Response
  let bytes: Uint8Array
  try {
    response = await fetchGuarded(guard, image.url, { signal }, { maxRedirects: IMAGE_REDIRECTS })
    bytes = await readBounded(response, MAX_IMAGE_URL_BYTES)
  } catch (error) {
    throw thrownError(error, signal, `Image ${image.url}`)
  }
  if (!response.ok) throw statusError(response.status, `Image ${image.url} answered ${response.status}.`)
  return Array.from(bytes)
}

function decodeBase64(data: string): number[] {
  try {
    return Array.from(atob(data), (char) => char.charCodeAt(0))
  } catch {
    throw new ProviderError('invalid_request', 'The image data is not valid base64.', false)
  }
}
