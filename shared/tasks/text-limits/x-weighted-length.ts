// The length of an X (Twitter) post as twitter-text v3 weighs it: text is NFC-normalised, code
// points in the light ranges weigh 1 and all others 2, every link counts 23 whatever its length,
// and an emoji (ZWJ sequences, skin tones, flags and keycaps included) counts 2 as a whole.
import { PRINTABLE_ASCII } from './characters'
import { COUNTRY_CODE_TLDS, LINKABLE_TLDS } from './tlds'

export const X_MAX_WEIGHTED_LENGTH = 280
export const X_LINK_LENGTH = 23

const LIGHT_RANGES: readonly [number, number][] = [
  [0, 4351],
  [8192, 8205],
  [8208, 8223],
  [8242, 8247],
]

const HOST_CHAR = '[\\p{L}\\p{N}\\p{M}\\p{So}_-]'
const ASCII_CHAR = '[A-Za-z0-9_-]'
const LINK_CANDIDATE = new RegExp(
  '(?<![A-Za-z0-9@＠$#＃\\u202A-\\u202E])' +
    `(?:(?<scheme>https?://)(?<host>${HOST_CHAR}+(?:\\.${HOST_CHAR}+)+)` +
    `|(?<![-_./])(?<bare>${ASCII_CHAR}+(?:\\.${ASCII_CHAR}+)+))` +
    '(?<port>:\\d{1,5})?(?<path>[/?#][^\\s"<>]*)?',
  'giu',
)
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
const DOMAIN_LABEL = /^[\p{L}\p{N}\p{M}\p{So}](?:[\p{L}\p{N}\p{M}\p{So}-]*[\p{L}\p{N}\p{M}\p{So}])?$/u
const SUBDOMAIN_LABEL = /^[\p{L}\p{N}\p{M}\p{So}_](?:[\p{L}\p{N}\p{M}\p{So}_-]*[\p{L}\p{N}\p{M}\p{So}_])?$/u
const PATH_END = /[\p{L}\p{N}=_#/+\-&]/u
const EMOJI =
  /\p{Emoji_Presentation}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u20e3|\p{Extended_Pictographic}[\ufe0f\u200d]/u

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Drops trailing punctuation a link does not end with, keeping a closing parenthesis that is balanced. */
function trimPath(path: string): string {
  let end = path.length
  while (end > 0) {
    const last = path[end - 1]!
    if (last === ')') {
      const head = path.slice(0, end)
      if (head.split('(').length >= head.split(')').length) break
    } else if (PATH_END.test(last)) break
    end--
  }
  return path.slice(0, end)
}

/** Whether a host is one X links: labels of at most 63 (punycode) characters and a known TLD. */
function linkableHost(host: string, withScheme: boolean): boolean {
  if (withScheme && IPV4.test(host)) return true
  let ascii = host
  if (/[^\p{ASCII}]/u.test(host)) {
    try {
      ascii = new URL(`http://${host}`).hostname
    } catch {
      return false
    }
  }
  const labels = host.toLowerCase().split('.')
  const asciiLabels = ascii.toLowerCase().split('.')
  const tld = asciiLabels.at(-1)!
  if (labels.length !== asciiLabels.length) return false
  if (!LINKABLE_TLDS.has(tld) && !tld.startsWith('xn--')) return false
  return labels.every((label, index) => {
    const pattern = index < labels.length - 2 ? SUBDOMAIN_LABEL : DOMAIN_LABEL
    return asciiLabels[index]!.length <= 63 && pattern.test(label)
  })
}

/** Where the links are in an (NFC-normalised) text, as [start, end) UTF-16 offsets. */
export function xLinkRanges(text: string): [number, number][] {
  const ranges: [number, number][] = []
  for (const match of text.matchAll(LINK_CANDIDATE)) {
    const { scheme, host, bare, port = '', path = '' } = match.groups!
    const domain = (host ?? bare)!
    const trimmedPath = trimPath(path)
    if (!linkableHost(domain, Boolean(scheme))) continue
    const labels = domain.toLowerCase().split('.')
    const tld = labels.at(-1)!
    const shortCountryDomain =
      labels.length === 2 && COUNTRY_CODE_TLDS.has(tld) && tld !== 'co' && tld !== 'tv'
    if (!scheme && !trimmedPath && shortCountryDomain) continue
    const length = (scheme ?? '').length + domain.length + port.length + trimmedPath.length
    ranges.push([match.index, match.index + length])
  }
  return ranges
}

function codePointWeight(codePoint: number): number {
  return LIGHT_RANGES.some(([start, end]) => codePoint >= start && codePoint <= end) ? 1 : 2
}

function plainWeight(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length
  let weight = 0
  for (const { segment } of graphemeSegmenter.segment(text)) {
    if (EMOJI.test(segment)) weight += 2
    else for (const char of segment) weight += codePointWeight(char.codePointAt(0)!)
  }
  return weight
}

/**
 * The weighted length X counts against its 280 limit.
 * @example xWeightedLength('Sale! https://example.com/a/very/long/path 🎉') // 6 + 23 + 1 + 2
 */
export function xWeightedLength(text: string): number {
  const normalized = text.normalize('NFC')
  let weight = 0
  let position = 0
  for (const [start, end] of xLinkRanges(normalized)) {
    weight += plainWeight(normalized.slice(position, start)) + X_LINK_LENGTH
    position = end
  }
  return weight + plainWeight(normalized.slice(position))
}
