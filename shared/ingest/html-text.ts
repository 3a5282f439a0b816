// Spreadsheet cells holding HTML (a Shopify export's `Body (HTML)`, a CMS field) become plain text
// before they reach a prompt: tags, attributes and entities are noise to a model and cost tokens.
// Converted with html-to-text (block elements become line breaks, lists keep their bullets).
import { convert } from 'html-to-text'

/** A tag-looking `<p>`, `</li>`, `<br/>` or an entity such as `&amp;` or `&#39;`. */
const LOOKS_LIKE_HTML = /<\/?[a-z][a-z0-9]*[\s/>]|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i

const OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
}

/** The text of a value that holds HTML; any other value as it is. */
export function htmlAsText(value: unknown): unknown {
  if (typeof value !== 'string' || !LOOKS_LIKE_HTML.test(value)) return value
  return convert(value, OPTIONS)
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .trim()
}
