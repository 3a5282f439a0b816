// How many SMS segments a text takes: GSM 03.38 7-bit when every character is in the GSM
// alphabet (extension characters take 2 septets), UCS-2 otherwise.

export type SmsEncoding = 'GSM-7' | 'UCS-2'

export type SmsCount = {
  encoding: SmsEncoding
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number
  segments: number
  /** The capacity of one segment at this length: single-part or multipart. */
  perSegment: number
}

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
)
const GSM_EXTENSION = new Set('^{}\\[~]|€\f')

const LIMITS = {
  'GSM-7': { single: 160, multipart: 153 },
  'UCS-2': { single: 70, multipart: 67 },
} as const

/** Units per character, or null when the text needs UCS-2. */
function gsmUnits(text: string): number[] | null {
  const units: number[] = []
  for (const char of text) {
    if (GSM_BASIC.has(char)) units.push(1)
    else if (GSM_EXTENSION.has(char)) units.push(2)
    else return null
  }
  return units
}

/** UTF-16 code units per code point: a surrogate pair is 2 and stays in one segment. */
function ucs2Units(text: string): number[] {
  return Array.from(text, (char) => char.length)
}

/** Segments when each character's units must stay together in one segment. */
function countSegments(units: number[], capacity: number): number {
  let segments = 1
  let used = 0
  for (const size of units) {
    if (used + size > capacity) {
      segments++
      used = 0
    }
    used += size
  }
  return segments
}

/**
 * Counts the segments of an SMS.
 * @example smsSegments('Hi 👋') // { encoding: 'UCS-2', units: 5, segments: 1, perSegment: 70 }
 */
export function smsSegments(text: string): SmsCount {
  const gsm = gsmUnits(text)
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2'
  const units = gsm ?? ucs2Units(text)
  const total = units.reduce((sum, size) => sum + size, 0)
  const limits = LIMITS[encoding]
  if (total <= limits.single) return { encoding, units: total, segments: 1, perSegment: limits.single }
  return {
    encoding,
    units: total,
    segments: countSegments(units, limits.multipart),
    perSegment: limits.multipart,
  }
}
