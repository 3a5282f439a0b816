// translate: a text into another language, keeping its placeholders and HTML intact.
import { z } from 'zod'
import { CHAT_MODELS } from './models'
import { lines, replyAsJson } from './prompt'
import { PROTECTED, preservationViolations } from './translation-tokens'
import { defineTask, jsonAnswer } from './types'

function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0]
  } catch {
    return undefined
  }
}

const locale = z
  .string()
  .trim()
  .refine((tag) => canonicalLocale(tag) !== undefined, 'must be a BCP 47 language tag, like fr or pt-BR')
  .transform((tag) => canonicalLocale(tag)!)

function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(tag)
    return name && name !== tag ? `${name} (${tag})` : tag
  } catch {
    return tag
  }
}

const VOWELS = 'aeiouAEIOU'
const ACCENTED = 'áéíóúÁÉÍÓÚ'

/** Pseudo-translation: vowels accented outside tags, placeholders and entities. */
function pseudoTranslate(text: string): string {
  const accent = (part: string) => part.replace(/[aeiouAEIOU]/g, (vowel) => ACCENTED[VOWELS.indexOf(vowel)]!)
  let result = ''
  let position = 0
  for (const match of text.matchAll(PROTECTED)) {
    result += accent(text.slice(position, match.index)) + match[0]
    position = match.index + match[0].length
  }
  return result + accent(text.slice(position))
}

export const translate = defineTask({
  type: 'translate',
  description: 'Translates a text, keeping placeholders ({{name}}, {name}, %s) and HTML tags intact.',
  input: z.object({ text: z.string().trim().min(1, 'text is required').max(20000) }),
  params: z.object({
    target_locale: locale,
    source_locale: locale.optional(),
    instructions: z.string().max(2000).optional(),
  }),
  output: z.object({ text: z.string().min(1) }),
  kind: 'chat',
  system: (params) =>
    lines(
      `You translate marketing text${params.source_locale ? ` from ${languageName(params.source_locale)}` : ''} into ${languageName(params.target_locale)}, written as a native copywriter would.`,
      'Keep every placeholder exactly as it is: {{name}}, {name}, %s, %d, %1$s.',
      'Keep every HTML tag and entity, in the same order; translate only the text between tags and the alt, title, placeholder and aria-label attributes. Never change an href or any other attribute.',
      params.instructions && `Instructions: ${params.instructions}`,
      replyAsJson('{"text": "..."}'),
    ),
  user: (input) => input.text,
  check: (output, input) => preservationViolations(input.text, output.text),
  simulate: (input) => jsonAnswer({ text: pseudoTranslate(input.text) }),
  models: CHAT_MODELS,
  variants: 1,
  expectedOutputTokens: () => 400,
})
