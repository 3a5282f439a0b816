// The image a task reads: a public http(s) URL or an uploaded file. Files travel as
// { url: 'file:<id>' } until the executor replaces them with the file's bytes. A URL is checked
// against the URL guard here, at the door, so a private or metadata address fails the row at
// once; loopback waits for the fetch, whose guarded fetch knows the dev flag and checks again.
import { z } from 'zod'
import { checkUrl } from '../net/url-guard'
import type { ImageInput } from './model-call'

function publicImageUrl(url: string, context: z.RefinementCtx) {
  const verdict = checkUrl(url, { allowLoopback: true })
  if (!verdict.ok) context.addIssue({ code: 'custom', message: `image_url is refused: ${verdict.reason}` })
}

export const imageFields = {
  image_url: z
    .url({ protocol: /^https?$/ })
    .max(4096)
    .superRefine(publicImageUrl)
    .optional(),
  image_file_id: z.string().trim().min(1).max(200).optional(),
}

export function oneImage(input: { image_url?: string; image_file_id?: string }): boolean {
  return Boolean(input.image_url) !== Boolean(input.image_file_id)
}

export const ONE_IMAGE_MESSAGE = 'give either image_url or image_file_id'

export function imageOf(input: { image_url?: string; image_file_id?: string }): ImageInput {
  return input.image_url ? { url: input.image_url } : { url: `file:${input.image_file_id}` }
}

/** Words from an image URL's file name ("red-running-shoes_2.jpg" → "red running shoes"), for simulated answers. */
export function imageNameWords(input: { image_url?: string }): string {
  if (!input.image_url) return ''
  const path = new URL(input.image_url).pathname
  let name = path.slice(path.lastIndexOf('/') + 1)
  try {
    name = decodeURIComponent(name)
  } catch {}
  return name
    .replace(/\.[a-z0-9]{2,5}$/i, '')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim()
}
