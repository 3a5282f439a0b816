// Identifiers: a type prefix, then 10 characters of millisecond time and 16 random characters
// (Crockford base32), so ids sort by creation time and cursor pagination can page by id.

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

export type IdPrefix = 'ten' | 'usr' | 'key' | 'rt' | 'aud' | 'bat' | 'file' | 'tpl' | 'wh' | 'req'

function encodeTime(ms: number): string {
  let out = ''
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out
    ms = Math.floor(ms / 32)
  }
  return out
}

export function randomChars(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  let out = ''
  for (const byte of bytes) out += ALPHABET[byte % 32]
  return out
}

export function newId(prefix: IdPrefix, now = Date.now()): string {
  return `${prefix}_${encodeTime(now)}${randomChars(16)}`
}
