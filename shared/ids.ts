// Identifiers: a type prefix, then 10 characters of millisecond time and 16 random characters
// (Crockford base32, as in ULID), so ids sort by creation time and lists can page by id.
// Within one isolate ids are monotonic: a second id in the same millisecond increments the
// random part, so events recorded in order also list in order.

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

export type IdPrefix =
  | 'ten'
  | 'usr'
  | 'key'
  | 'rt'
  | 'aud'
  | 'bat'
  | 'file'
  | 'tpl'
  | 'wh'
  | 'req'
  | 'msg'
  | 'whd'
  | 'int'
  | 'utk'
  | 'inv'

let lastTime = 0
let lastRandom: number[] = []

function encodeTime(ms: number): string {
  let out = ''
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out
    ms = Math.floor(ms / 32)
  }
  return out
}

function randomDigits(length: number): number[] {
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (byte) => byte % 32)
}

function increment(digits: number[]): number[] {
  const next = [...digits]
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]!++
      return next
    }
    next[i] = 0
  }
  return randomDigits(digits.length)
}

export function randomChars(length: number): string {
  return randomDigits(length)
    .map((digit) => ALPHABET[digit])
    .join('')
}

export function newId(prefix: IdPrefix, now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom)
  } else {
    lastTime = now
    lastRandom = randomDigits(16)
  }
  return `${prefix}_${encodeTime(lastTime)}${lastRandom.map((digit) => ALPHABET[digit]).join('')}`
}

/**
 * A deterministic id at time `ms`: the same seed bytes (e.g. a digest of what the row stands
 * for) always give the same id, so one row per key and window can be upserted.
 */
export function seededId(prefix: IdPrefix, ms: number, seed: Uint8Array): string {
  return `${prefix}_${encodeTime(ms)}${Array.from(seed.subarray(0, 16), (byte) => ALPHABET[byte % 32]).join('')}`
}
