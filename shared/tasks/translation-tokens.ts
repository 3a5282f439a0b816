// What a translation must carry over unchanged: placeholders ({{name}}, {name}, %s, %d, %1$s) and
// HTML tags, in order, with their attributes (except the ones meant to be translated, like alt).

const PLACEHOLDER = /\{\{\s*[\w.-]+\s*\}\}|\{[\w.-]+\}|%(?:\d+\$)?[sd]/g
const TAG = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/g
const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g
const ENTITY = /&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);/g

/** Tags, placeholders and entities: the parts of a text a translation keeps as they are. */
export const PROTECTED = new RegExp(`${TAG.source}|${PLACEHOLDER.source}|${ENTITY.source}`, 'g')

/** Attributes whose text is for people and so is translated. */
const TRANSLATED_ATTRIBUTES = new Set(['alt', 'title', 'placeholder', 'aria-label', 'aria-description'])

type Tag = { label: string; name: string; attributes: Map<string, string> }

export function placeholders(text: string): string[] {
  return text.match(PLACEHOLDER) ?? []
}

export function tags(text: string): Tag[] {
  return Array.from(text.matchAll(TAG), ([, closing, rawName, rawAttributes = '']) => {
    const name = rawName!.toLowerCase()
    const attributes = new Map<string, string>()
    for (const [, key, double, single, bare] of rawAttributes.matchAll(ATTRIBUTE))
      attributes.set(key!.toLowerCase(), double ?? single ?? bare ?? '')
    return { label: `<${closing}${name}>`, name, attributes }
  })
}

function counts(items: string[]): Map<string, number> {
  const result = new Map<string, number>()
  for (const item of items) result.set(item, (result.get(item) ?? 0) + 1)
  return result
}

/** Items missing from (or repeated less in) the translation, and items the source does not have. */
function compareCounts(kind: string, source: string[], translation: string[]): string[] {
  const expected = counts(source)
  const actual = counts(translation)
  const violations: string[] = []
  for (const [item, count] of expected) {
    const found = actual.get(item) ?? 0
    if (found === 0) violations.push(`${kind} ${item} is missing from the translation`)
    else if (found < count) violations.push(`${kind} ${item} appears ${found} times; the source has ${count}`)
  }
  for (const item of actual.keys())
    if (!expected.has(item)) violations.push(`${kind} ${item} is not in the source`)
  return violations
}

function compareAttributes(source: Tag[], translation: Tag[]): string[] {
  const violations: string[] = []
  const seen = new Map<string, number>()
  for (const tag of source) {
    if (tag.label.startsWith('</')) continue
    const nth = (seen.get(tag.name) ?? 0) + 1
    seen.set(tag.name, nth)
    const twin = translation.filter((other) => other.label === tag.label)[nth - 1]
    if (!twin) continue
    const where = `<${tag.name}> #${nth}`
    for (const [key, value] of tag.attributes) {
      if (TRANSLATED_ATTRIBUTES.has(key)) continue
      const translated = twin.attributes.get(key)
      if (translated === undefined) violations.push(`${key} of ${where} is missing from the translation`)
      else if (translated !== value)
        violations.push(`${key} of ${where} changed from "${value}" to "${translated}"`)
    }
    for (const key of twin.attributes.keys())
      if (!tag.attributes.has(key) && !TRANSLATED_ATTRIBUTES.has(key))
        violations.push(`${where} has a ${key} attribute the source does not have`)
  }
  return violations
}

/**
 * What a translation lost or changed of the source's placeholders and HTML, each in words.
 * @example preservationViolations('Hi {{name}}', 'Hallo') // ['placeholder {{name}} is missing from the translation']
 */
export function preservationViolations(source: string, translation: string): string[] {
  const sourceTags = tags(source)
  const translationTags = tags(translation)
  const sourceLabels = sourceTags.map((tag) => tag.label)
  const translationLabels = translationTags.map((tag) => tag.label)
  const tagViolations = compareCounts('tag', sourceLabels, translationLabels)
  const sourceOrder = sourceLabels.join(' ')
  const translationOrder = translationLabels.join(' ')
  if (tagViolations.length === 0 && sourceOrder !== translationOrder)
    tagViolations.push(`the tags are in a different order: ${translationOrder} instead of ${sourceOrder}`)
  return [
    ...compareCounts('placeholder', placeholders(source), placeholders(translation)),
    ...tagViolations,
    ...compareAttributes(sourceTags, translationTags),
  ]
}
