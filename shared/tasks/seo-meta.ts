import { z } from 'zod'
import { defineTask } from './types'

export const SEO_TITLE_MAX = 60
export const SEO_DESCRIPTION_MAX = 160

function clip(text: string, max: number) {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`
}

export const seoMeta = defineTask({
  type: 'seo_meta',
  description: `An SEO title (≤ ${SEO_TITLE_MAX} characters) and meta description (≤ ${SEO_DESCRIPTION_MAX}).`,
  input: z.object({
    title: z.string().trim().min(1, 'title is required').max(500),
    content: z.string().max(20000).optional(),
    keywords: z.string().max(500).optional(),
  }),
  params: z.object({}).default({}),
  output: z.object({
    title: z.string().min(1).max(SEO_TITLE_MAX),
    description: z.string().min(1).max(SEO_DESCRIPTION_MAX),
  }),
  prompt: (input) => [
    {
      role: 'system',
      content: `You write SEO metadata. Title at most ${SEO_TITLE_MAX} characters, meta description at most ${SEO_DESCRIPTION_MAX}. Reply with JSON {"title": string, "description": string}.`,
    },
    {
      role: 'user',
      content: [`Page: ${input.title}`, input.keywords && `Keywords: ${input.keywords}`, input.content]
        .filter(Boolean)
        .join('\n'),
    },
  ],
  simulate: (input, _params, seed) => ({
    title: clip(input.title, SEO_TITLE_MAX),
    description: clip(
      `Discover ${input.title}${input.keywords ? ` — ${input.keywords}` : ''}. Ref ${seed % 1000}.`,
      SEO_DESCRIPTION_MAX,
    ),
  }),
})
